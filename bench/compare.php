<?php
// SafeShm against the stores and locks a PHP user would otherwise pick, measured in one run so that the ratios
// are fair, and the performance goals of issues #2, #10, #11 and #12 judged from those figures.
//
// usage: php -d extension=modules/safeshm.so -d apc.enable_cli=1 -d apc.shm_size=1G -d apc.entries_hint=262144 \
//            bench/compare.php [seconds-per-case] [runs] [--quick]
//   seconds-per-case  default 1
//   runs              default 3; every case keeps its best run, because shared machines are noisy
//                     (within a run, the stores of a one-process case take turns in 2 ms batches and the
//                     median batch counts, so that a noisy moment hits them alike)
//   --quick           a smoke run for CI (0.05 s per case, 1 run, smaller big store): every line is printed,
//                     but speed goals are not judged (exit status 1 only when a case could not run at all)
//   --only=S[,S]      only these sections (single, mix, big, stopped, stampede, handoff, capacity, syscalls),
//                     for development: the goal lines of the others read SKIP
// `bash tools/bench.sh` installs the peers (APCu, Yac, phpredis, redis-server, strace), builds both SafeShm
// builds and runs this with them loaded.
//
// Cases:
//  - one process: get and put of a 69-byte JSON string and a 20-element array, increment, put with a TTL,
//    a remember() hit, uncontended lock+release (beside flock, sysvsem and a Redis lock);
//  - 2, 8 and 32 forked processes doing 90/10 and 50/50 get/put over 100 keys;
//  - a 256 MiB store (100 000 x 1 KB entries): a reader beside a rewriting writer, the latency of every
//    put/delete/increment, a writer of the test build stopped (SIGSTOP) in the middle of its mutation;
//  - capacity in tiny counters, system calls of the hot paths under strace, a 50-process stampede on one
//    missing key, the handoff of a lock between two processes.
// Peers are measured when loaded: sysvshm+sysvsem, shmop+sysvsem, APCu (apc.enable_cli=1), Yac
// (yac.enable_cli=1), phpredis with a redis-server (SAFESHM_BENCH_REDIS or redis-server in PATH, started on
// 127.0.0.1 only). The test build for the stopped writer: SAFESHM_BENCH_HOOKS_SO, else
// build-hooks/modules/safeshm.so (tools/build-hooks.sh).
// Exit status: 0 when no goal failed, 1 when one did (or, with --quick, when a case could not run), 2 on bad use.
//
// Every IPC object, file and process made here is removed on exit, on Ctrl-C too.

declare(strict_types=1);

ini_set('display_errors', 'stderr');     // Debian's CLI php.ini hides errors: a failure here must not be silent
ini_set('memory_limit', '-1');           // latency samples: a few million per case

require __DIR__ . '/lib/common.php';
require __DIR__ . '/lib/stores.php';
require __DIR__ . '/lib/cases.php';
require __DIR__ . '/lib/latency.php';
require __DIR__ . '/lib/locks.php';

const MIX_KEYS = 100;

$args = array_slice($argv, 1);
$quick = in_array('--quick', $args, true);
$only = null;                            // --only=a,b: a subset of the sections, for development
foreach ($args as $a) {
    if (str_starts_with($a, '--only=')) {
        $only = explode(',', substr($a, 7));
    }
}
$args = array_values(array_filter($args, fn($a) => !str_starts_with($a, '--')));
$run = fn(string $section) => $only === null || in_array($section, $only, true);
$secs = (float) ($args[0] ?? ($quick ? 0.05 : 1));
$runs = (int) ($args[1] ?? ($quick ? 1 : 3));
if ($secs <= 0 || $runs < 1) {
    fwrite(STDERR, "usage: php bench/compare.php [seconds-per-case > 0] [runs >= 1] [--quick]\n");
    exit(2);
}
foreach (['pcntl_fork', 'posix_kill', 'ftok', 'shmop_open'] as $fn) {
    if (!function_exists($fn)) {
        fwrite(STDERR, "bench/compare.php needs $fn() (pcntl, posix, sysvsem and shmop on the CLI)\n");
        exit(2);
    }
}
Bench::init($secs, $runs, $quick);

// The value of shared/peers/single.php and contention.php, the issue's "70-byte" JSON string (69 bytes exactly).
$small = json_encode(['zmq' => ['host' => '19.168.1.100', 'port' => '8899', 'createTime' => 1542110838]]);
// A 20-element array of mixed scalar types.
$array = [];
for ($i = 0; $i < 20; $i++) {
    $array["field$i"] = match ($i % 4) { 0 => $i * 1000, 1 => "value-$i", 2 => $i / 4, 3 => $i % 8 === 3 };
}
$mixKeys = [];
for ($k = 0; $k < MIX_KEYS; $k++) {
    $mixKeys[$k] = "k$k";
}
$sl = strlen($small);

// ---------------------------------------------------------------------------------------------------------
// Stores, locks and tools.

$stores = open_stores();
if (!$stores) {
    fwrite(STDERR, "no store to measure\n" . implode("\n", Bench::$notes) . "\n");
    exit(2);
}
$hasSafe = isset($stores['SafeShm']);
$hasApcu = isset($stores['APCu']);
$redis = start_redis();
$lockStore = $hasSafe ? Bench::store('k', SEGMENT_SIZE) : null;
$lockers = open_lockers($lockStore, $redis);
$flockName = array_values(array_filter(array_keys($lockers), fn($n) => str_starts_with($n, 'flock')))[0];

$hooksSo = getenv('SAFESHM_BENCH_HOOKS_SO') ?: __DIR__ . '/../build-hooks/modules/safeshm.so';
$hooksSo = is_file($hooksSo) ? realpath($hooksSo) : null;
if ($hooksSo === null) {
    Bench::$notes[] = 'stopped writer: no test build (run tools/build-hooks.sh, or set SAFESHM_BENCH_HOOKS_SO)';
}
$strace = getenv('SAFESHM_BENCH_STRACE') ?: trim((string) @shell_exec('command -v strace 2>/dev/null'));
if ($strace === '') {
    Bench::$notes[] = 'system calls: strace is not installed (apt-get install strace; tools/bench.sh does)';
}

$cases = [
    'get-string' => ["get, {$sl}-byte JSON string", 'get', $small],
    'put-string' => ["put, {$sl}-byte JSON string", 'put', $small],
    'get-array'  => ['get, 20-element array', 'get', $array],
    'put-array'  => ['put, 20-element array', 'put', $array],
    'inc'        => ['increment of an int (SafeShm increment, apcu_inc)', 'inc', null],
    'put-ttl'    => ["put with a 60 s TTL, {$sl}-byte string (put(k, v, 60), apcu_store(k, v, 60), Yac set(k, v, 60))", 'putTtl', $small],
    'remember'   => ["single-flight read, hit, {$sl}-byte string (remember(), apcu_entry())", 'remember', $small],
];
// [processes, every n-th operation a put, which stores]; the 8-process 90/10 mix measures every store
$mixes = [
    '2-90'  => [2, 10, ['SafeShm', 'APCu']],
    '8-90'  => [8, 10, array_keys($stores)],
    '32-90' => [32, 10, ['SafeShm', 'APCu']],
    '2-50'  => [2, 2, ['SafeShm', 'APCu']],
    '8-50'  => [8, 2, ['SafeShm', 'APCu']],
    '32-50' => [32, 2, ['SafeShm', 'APCu']],
];

// What every store returns must be the value stored, or its numbers mean nothing.
$check = [];
foreach ($stores as $name => $st) {
    foreach (['string' => $small, 'array' => $array] as $what => $val) {
        $st['put'](1, $val);
        $check[$name][$what] = $st['get'](1) === $val ? 'ok' : 'WRONG VALUE';
    }
}

printf("SafeShm benchmark: PHP %s, %d CPUs, %s s per case, best of %d run%s%s\n",
    PHP_VERSION, (int) trim((string) @shell_exec('nproc')), rtrim(rtrim(sprintf('%.2f', $secs), '0'), '.'), $runs,
    $runs > 1 ? 's' : '', $quick ? ' (quick: a smoke run, speed goals not judged)' : '');
printf("Stores: %s (SafeShm with safeshm.lock=%s)\n", implode(', ', array_keys($stores)), ini_get('safeshm.lock'));
printf("Locks: %s\n", implode(', ', array_keys($lockers)));
$load = sys_getloadavg();
printf("Machine load average at start: %.2f %.2f %.2f\n", ...$load);

// ---------------------------------------------------------------------------------------------------------
// Once: capacity and system calls (deterministic), and the big store's filling.

$capacity = [];
if ($hasSafe && $run('capacity')) {
    Bench::progress('capacity');
    $capacity = ['1' => safeshm_capacity(1), '64' => safeshm_capacity(64), 'apcu' => $hasApcu ? apcu_counters_per_mib() : null];
}

$syscalls = [];
$syscallErr = '';
if ($hasSafe && $strace !== '' && $run('syscalls')) {
    Bench::progress('system calls under strace');
    $so = Bench::loadedObject('safeshm.so');
    $sys = Bench::store('y', SEGMENT_SIZE);
    $iters = 100_000;
    foreach ([0, $iters] as $n) {
        $syscalls['SafeShm'][$n] = strace_calls($strace, ['-d', "extension=$so"], 'safeshm', $sys->info()['key'], $n, $syscallErr);
    }
    $apcuSo = $hasApcu ? Bench::loadedObject('apcu.so') : null;
    if ($apcuSo !== null) {
        $e = '';
        foreach ([0, $iters] as $n) {
            $syscalls['APCu'][$n] = strace_calls($strace, ['-d', "extension=$apcuSo", '-d', 'apc.enable_cli=1'], 'apcu', 0, $n, $e);
        }
    }
}

$big = null;
if ($hasSafe && ($run('big') || $run('stopped'))) {
    Bench::progress('filling the big store');
    $big = big_open($hasApcu);
}

/** The worst of every statistic of two sets of timed reads (the rounds of one run). */
function worst_of(?array $a, array $b): array
{
    if ($a === null) {
        return ['all' => $b['all'], 'clean' => $b['clean']];
    }
    foreach (['all', 'clean'] as $set) {
        foreach (['p50', 'p99', 'p9999', 'max'] as $f) {
            $a[$set][$f] = max($a[$set][$f], $b[$set][$f]);
        }
        $a[$set]['n'] += $b[$set]['n'];
    }
    return $a;
}

// ---------------------------------------------------------------------------------------------------------
// Runs: every run goes through every case and store, so that a noisy moment hurts one run, not one store.

$best = [];
$lockBest = [];
$floorBest = [];
$floorObj = new ArrayObject();
$floors = [
    'object' => function (int $n) use ($floorObj) {
        for ($i = 0; $i < $n; $i++) {
            $o = new stdClass();
            $o = null;
            $floorObj->count();
            $floorObj->count();
        }
    },
    'clock' => function (int $n) { for ($i = 0; $i < $n; $i++) { hrtime(true); } },
    'call' => function (int $n) { for ($i = 0; $i < $n; $i++) { max($i, 0); } },   // the same without the clock
];
// a read of the monotonic clock: hrtime() less a plain internal function call
$clockNs = function () use (&$floorBest): ?float {
    return isset($floorBest['clock'], $floorBest['call']) ? max(0.0, 1e9 / $floorBest['clock'] - 1e9 / $floorBest['call']) : null;
};
$mixBest = [];
$mixBad = [];
$mixCrashed = [];
$bigBest = [];
$stoppedRounds = [];
$stoppedBest = null;
$stampedes = [];
$handoffs = [];
$errors = [];

for ($r = 1; $r <= $runs; $r++) {
    fprintf(STDERR, "run %d/%d ...\n", $r, $runs);

    Bench::progress('one process');
    foreach ($run('single') ? $cases : [] as $cid => [, $op, $val]) {
        $items = [];
        foreach ($stores as $name => $st) {
            if (isset($st[$op])) {
                if ($op === 'get') {
                    $st['put'](1, $val);
                }
                $items[$name] = [$st[$op], $op === 'get' || $op === 'inc' ? [] : [$val]];
            }
        }
        foreach (Bench::rates($items, $errs) as $name => $ops) {
            $best[$cid][$name] = max($best[$cid][$name] ?? 0.0, $ops);
        }
        foreach ($errs as $name => $err) {
            $errors["$cid $name"] = $err;
        }
    }
    $items = [];
    foreach ($run('single') ? $lockers : [] as $name => $lk) {
        $items[$name] = [$lk['cycle'], []];
    }
    // What any lock() + release() pays in PHP before its own work, timed beside the lockers: the object it
    // returns (created and freed), two calls of internal methods, and a read of the monotonic clock.
    foreach ($run('single') ? $floors : [] as $name => $fn) {
        $items[$name] = [$fn, []];
    }
    foreach (Bench::rates($items, $errs) as $name => $ops) {
        if (isset($floors[$name])) {
            $floorBest[$name] = max($floorBest[$name] ?? 0.0, $ops);
            continue;
        }
        $lockBest[$name] = max($lockBest[$name] ?? 0.0, $ops);
    }
    foreach ($errs as $name => $err) {
        $errors["lock $name"] = $err;
    }
    foreach ($lockers as $lk) {
        if (isset($lk['close'])) {
            $lk['close']();
        }
    }

    Bench::progress('processes in parallel');
    foreach ($run('mix') ? $mixes : [] as $mid => [$procs, $every, $which]) {
        foreach ($which as $name) {
            if (!isset($stores[$name])) {
                continue;
            }
            $st = $stores[$name];
            $st['seed']($mixKeys, $small);
            $res = measure_mix($st['mix'], $procs, $every, $mixKeys, $small);
            $mixBest[$mid][$name] = max($mixBest[$mid][$name] ?? 0.0, $res['ops']);
            $mixBad[$mid][$name] = ($mixBad[$mid][$name] ?? 0) + $res['bad'];
            $mixCrashed[$mid][$name] = ($mixCrashed[$mid][$name] ?? 0) + $res['crashed'];
        }
    }

    if ($big !== null) {
        foreach ($run('big') ? ['issue' => false, 'near full' => true] : [] as $fill => $ballast) {
            if ($ballast) {
                Bench::progress('big store: near full');
                big_fill_ballast($big);
            } else {
                Bench::progress('big store');
            }
            $bigBest[$fill]['filling'] = big_filling($big);
            foreach (array_merge(['SafeShm'], $hasApcu ? ['APCu'] : [], ['alone', 'floor']) as $who) {
                Bench::progress("  reader beside a writer: $who");
                $res = reader_beside_writer($big, $who);
                if ($res === null) {
                    $errors["reader beside writer ($fill, $who)"] = 'a worker failed';
                    continue;
                }
                $bigBest[$fill]['reader'][$who] = latency_best($bigBest[$fill]['reader'][$who] ?? null, $res);
            }
            // near full, a write can take milliseconds: the time limit keeps the run finite
            $cap = $ballast ? ($quick ? 0.5 : max(2.0, 5 * $secs)) : max(30.0, 20 * $secs);
            foreach (array_merge(['SafeShm'], $hasApcu ? ['APCu'] : [], ['floor']) as $who) {
                Bench::progress("  every write timed: $who");
                $res = write_latency($big, $who, $cap);
                $bigBest[$fill]['write'][$who] = latency_best($bigBest[$fill]['write'][$who] ?? null, $res);
            }
            if ($ballast) {
                big_drop_ballast($big);
            }
        }
        if ($hooksSo !== null && $run('stopped')) {
            Bench::progress('stopped writer');
            $big->s->put('c3', 41);
            // [operation, key, new value, ms after the mutation began]: the test build sleeps 100 ms at each fault
            // point, so a put stopped at 0 ms has written its record but not published it (the old value
            // shows), one at 150 ms has published it and not yet retired the old one (the new value shows)
            $rounds = [
                ['put', 'e7', str_repeat('N', 1100), 0],
                ['put', 'e9', str_repeat('M', 700), 150],
                ['delete', 'e8', null, 20],
                ['increment', 'c3', null, 40],
                ['put', "new-key-$r", 'a new entry', 60],
            ];
            $runWorst = null;                   // the worst of this run's rounds; the best run is kept
            foreach ($rounds as [$op, $target, $value, $offset]) {
                if (!str_starts_with($target, 'new-key') && $big->s->get($target) === null) {
                    $big->s->put($target, $op === 'increment' ? 41 : str_repeat('o', 1024));  // an old value to see
                }
                $round = stopped_writer_round($big, $hooksSo, $op, $target, $value, $offset);
                $stoppedRounds[] = $round;
                if ($round['reads'] !== null) {
                    $runWorst = worst_of($runWorst, $round['reads']);
                }
            }
            if ($runWorst !== null) {
                $stoppedBest = $stoppedBest === null ? $runWorst : [
                    'all' => Bench::bestOf($stoppedBest['all'], $runWorst['all']),
                    'clean' => Bench::bestOf($stoppedBest['clean'], $runWorst['clean']),
                ];
            }
        }
    }

    if ($hasSafe && $run('stampede')) {
        Bench::progress('stampede');
        $variants = ['remember' => 'SafeShm remember()'] + ($hasApcu ? ['entry' => 'APCu apcu_entry()'] : [])
            + ['poll' => 'polling lock: SafeShm add() + usleep(10 ms)'];
        foreach ($variants as $v => $label) {
            $res = stampede($v, $lockStore, 50, "$r");
            $prev = $stampedes[$v] ?? null;
            $stampedes[$v] = [
                'label' => $label,
                'computes' => max($prev['computes'] ?? 0, $res['computes']),
                'wall' => min($prev['wall'] ?? INF, $res['wall']),
                'wrong' => ($prev['wrong'] ?? 0) + $res['wrong'],
                'crashed' => ($prev['crashed'] ?? 0) + $res['crashed'],
                'error' => ($prev['error'] ?? '') ?: $res['error'],
            ];
        }
    }

    Bench::progress('lock handoff');
    foreach ($run('handoff') ? $lockers : [] as $name => $lk) {
        if ($lk['handoff'] === null) {
            continue;
        }
        $res = measure_handoff($lk['handoff'], $quick ? 40 : 1000);
        if ($res === null) {
            $errors["handoff $name"] = 'a worker failed';
            continue;
        }
        $handoffs[$name] = Bench::bestOf($handoffs[$name] ?? null, $res);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Report: the figures, then every goal with its verdict.

Bench::progress('report');
echo "\n";
$nsop = fn(float $ops) => 1e9 / $ops;
foreach ($cases as $cid => [$title]) {
    if (!isset($best[$cid])) {
        continue;
    }
    Bench::section("$title, 1 process");
    printf("   %-30s %14s %10s %13s   %s\n", 'store', 'ops/s', 'ns/op', 'SafeShm/peer', 'check');
    foreach ($best[$cid] as $name => $ops) {
        $chk = match ($cid) {
            'get-string', 'put-string', 'put-ttl' => $check[$name]['string'],
            'get-array', 'put-array' => $check[$name]['array'],
            default => '',
        };
        $ratio = $name === 'SafeShm' || !$hasSafe ? '' : sprintf('%.2fx', $best[$cid]['SafeShm'] / $ops);
        printf("   %-30s %14s %10s %13s   %s\n", $name, Bench::ops($ops), number_format($nsop($ops), 0), $ratio, $chk);
    }
    echo "\n";
}

Bench::section('uncontended lock + release, 1 process');
printf("   %-30s %14s %10s %13s\n", 'lock', 'ops/s', 'ns/op', 'SafeShm/peer');
foreach ($lockBest as $name => $ops) {
    $ratio = str_starts_with($name, 'SafeShm') || !isset($lockBest['SafeShm lock()']) ? '' : sprintf('%.2fx', $lockBest['SafeShm lock()'] / $ops);
    printf("   %-30s %14s %10s %13s\n", $name, Bench::ops($ops), number_format($nsop($ops), 0), $ratio);
}
echo "\n";

foreach ($mixes as $mid => [$procs, $every]) {
    if (!isset($mixBest[$mid])) {
        continue;
    }
    Bench::section(sprintf('%d processes, %d %% get / %d %% put over %d keys (%d-byte string)', $procs, 100 - 100 / $every, 100 / $every, MIX_KEYS, $sl));
    printf("   %-30s %14s %13s   %s\n", 'store', 'ops/s', 'SafeShm/peer', 'check');
    foreach ($mixBest[$mid] as $name => $ops) {
        $ratio = $name === 'SafeShm' || !isset($mixBest[$mid]['SafeShm']) ? '' : sprintf('%.2fx', $mixBest[$mid]['SafeShm'] / $ops);
        $chk = number_format($mixBad[$mid][$name]) . ' wrong reads' . ($mixCrashed[$mid][$name] ? sprintf(', %d workers crashed', $mixCrashed[$mid][$name]) : '');
        printf("   %-30s %14s %13s   %s\n", $name, Bench::ops($ops), $ratio, $chk);
    }
    echo "\n";
}

$latLine = function (string $who, array $r, array $extra = []) {
    printf("   %-8s %s\n", $who, Bench::pctLine($r['all']));
    printf("   %-8s   without the calls preempted (%s) or asleep (%s): %s; most CPU accounted to one call %s\n", '',
        Bench::ops($r['preempted']), Bench::ops($r['slept']), Bench::pctLine($r['clean']), Bench::ns($r['cpu_max_us'] * 1000));
    if ($extra) {
        printf("   %-8s   %s\n", '', implode(', ', $extra));
    }
};
foreach ($bigBest as $fill => $b) {
    Bench::section("a reader's get of an unrelated key beside a process rewriting random entries: " . $b['filling']);
    echo "   (each figure: its best run; counts: all runs together)\n";
    foreach ($b['reader'] ?? [] as $who => $r) {
        $x = $r['extra'] ?? [];
        $latLine($who, $r, array_filter([
            $who === 'alone' ? 'no writer: the same gets while nobody writes' : 'writer: ' . Bench::ops($x['writes'] ?? 0) . ' rewrites',
            in_array($who, ['APCu', 'alone'], true) ? '' : (($x['compactions'] ?? 0) ? "{$x['compactions']} relocation passes" : 'no relocation pass'),
            ($x['full'] ?? 0) ? "{$x['full']} SafeShmFullException" : '',
            $r['wrong'] ? "{$r['wrong']} WRONG READS" : '',
        ]));
    }
    echo "\n";
    Bench::section("every put (80 %, 512-1536 bytes) / delete (10 %) / increment (10 %) timed, random entries: " . $b['filling']);
    foreach ($b['write'] ?? [] as $who => $r) {
        $x = $r['extra'] ?? [];
        $kinds = $r['kinds'] ? sprintf('max per kind: put %s, delete %s, increment %s', Bench::ns($r['kinds'][0]['max']),
            Bench::ns($r['kinds'][1]['max']), Bench::ns($r['kinds'][2]['max'])) : '';
        $latLine($who, $r, array_filter([
            Bench::ops($r['ops']) . ' operations' . ($r['ops'] < $big->ops ? ' (stopped at the time limit)' : ''),
            $kinds,
            ($x['compactions'] ?? 0) ? "{$x['compactions']} relocation passes" : '',
            ($x['full'] ?? 0) ? "{$x['full']} SafeShmFullException" : '',
            ($x['expunges'] ?? 0) ? "APCu expunged its cache {$x['expunges']} times" : '',
        ]));
    }
    echo "\n";
}
echo "alone = SafeShm's reader with no writer; floor = the same loop around a PHP array read instead of a store call,\n";
echo "beside SafeShm's writer: together, what this machine costs without a writer, and without shared memory.\n";
echo "Preempted / asleep: the call saw an involuntary / voluntary context switch (getrusage). CPU accounted: the kernel\n";
echo "charges CPU time at its ticks, so below a few ms that figure is noise; above it, the call itself worked that long.\n\n";

if ($stoppedRounds) {
    Bench::section('a writer of the test build SIGSTOPped inside its mutation (holding the lock); this process reads meanwhile');
    foreach ($stoppedRounds as $i => $rd) {
        printf("   %-4s %-16s %s\n", $rd['status'], $rd['what'], $rd['detail']);
        if ($rd['reads'] !== null) {
            printf("   %-4s %-16s gets of the other keys: %s\n", '', '', Bench::pctLine($rd['reads']['all']));
            printf("   %-4s %-16s   without the calls preempted (%d) or asleep (%d): %s\n", '', '', $rd['reads']['preempted'], $rd['reads']['slept'],
                Bench::pctLine($rd['reads']['clean']));
        }
    }
    echo "\n";
}

if ($stampedes) {
    Bench::section('stampede: 50 processes at once on one missing key, whose computation takes 100 ms');
    foreach ($stampedes as $st) {
        printf("   %-46s computations %2d (most in a run), wall %s (best run), %d wrong answers%s%s\n", $st['label'],
            $st['computes'], Bench::ns($st['wall'] * 1e9), $st['wrong'], $st['crashed'] ? ", {$st['crashed']} crashed" : '',
            $st['error'] !== '' ? " ({$st['error']})" : '');
    }
    echo "\n";
}

if ($handoffs) {
    Bench::section('lock handoff between two processes: released in A -> lock() returns in B (B asleep in lock())');
    foreach ($handoffs as $name => $p) {
        printf("   %-30s %s\n", $name, Bench::pctLine($p));
    }
    echo "\n";
}

if ($capacity) {
    Bench::section('capacity: int counters with 10-byte keys');
    printf("   SafeShm  1 MiB store: %s counters;  64 MiB store: %s counters (%s per MiB)\n",
        Bench::ops($capacity['1']), Bench::ops($capacity['64']), Bench::ops($capacity['64'] / 64));
    if ($capacity['apcu'] !== null) {
        printf("   APCu     %s counters per MiB of its shared memory\n", Bench::ops($capacity['apcu']));
    }
    echo "\n";
}

if ($syscalls) {
    Bench::section('system calls (strace -f -c) of 100 000 x (put + get + increment), over the same script with 0');
    foreach ($syscalls as $who => $c) {
        printf("   %-8s %s with 0 iterations, %s with 100 000: %s more\n", $who, $c[0] ?? '?', $c[100000] ?? '?',
            isset($c[0], $c[100000]) ? number_format($c[100000] - $c[0]) : '?');
    }
    echo "\n";
}

foreach (Bench::$notes as $note) {
    echo "note: $note\n";
}
foreach ($errors as $what => $err) {
    echo "error: $what: $err\n";
}
if (Bench::$notes || $errors) {
    echo "\n";
}

// ---------------------------------------------------------------------------------------------------------
// Goals.

$t = fn(string $cid, string $who) => isset($best[$cid][$who]) ? 1e9 / $best[$cid][$who] : null;
$timeGoal = function (string $id, string $what, string $cid, string $peer, float $limit, string $peerName = '') use ($t) {
    $safe = $t($cid, 'SafeShm');
    $other = $t($cid, $peer);
    if ($safe === null || $other === null) {
        Bench::goal($id, 'SKIP', "$what: " . ($safe === null ? 'SafeShm' : $peer) . ' not measured');
        return;
    }
    Bench::goal($id, $safe <= $limit * $other, sprintf('%s: SafeShm %s, %s %s: %.2fx its time (goal <= %.2fx)',
        $what, Bench::ns($safe), $peerName ?: $peer, Bench::ns($other), $safe / $other, $limit));
};

// #2, kept from the first version of this benchmark
foreach (['get-string' => 'get', 'put-string' => 'put'] as $cid => $op) {
    $timeGoal('#2', "1-process small-string $op (floor)", $cid, 'APCu', 3.0, 'APCu');
}
if (isset($mixBest['8-90']['SafeShm'], $mixBest['8-90']['sysvshm+sysvsem'])) {
    $safe = $mixBest['8-90']['SafeShm'];
    $sysv = $mixBest['8-90']['sysvshm+sysvsem'];
    Bench::goal('#2', $safe >= 5 * $sysv && $mixBad['8-90']['SafeShm'] === 0 && $mixCrashed['8-90']['SafeShm'] === 0, sprintf(
        '8 processes 90/10 (floor): SafeShm %s ops/s, sysvshm+sysvsem %s ops/s: %.1fx (goal >= 5x; %d wrong reads, %d crashed)',
        Bench::ops($safe), Bench::ops($sysv), $safe / $sysv, $mixBad['8-90']['SafeShm'], $mixCrashed['8-90']['SafeShm']));
} else {
    Bench::goal('#2', 'SKIP', '8 processes 90/10 vs sysvshm+sysvsem: not measured');
}

// #10 goal 1
$timeGoal('#10.1', "get, {$sl}-byte string", 'get-string', 'APCu', 0.8, 'apcu_fetch');
$timeGoal('#10.1', 'get, 20-element array', 'get-array', 'APCu', 0.8, 'apcu_fetch');
$timeGoal('#10.1', "put, {$sl}-byte string", 'put-string', 'APCu', 1.0, 'apcu_store');
$timeGoal('#10.1', 'put, 20-element array', 'put-array', 'APCu', 1.0, 'apcu_store');
$timeGoal('#10.1', 'increment', 'inc', 'APCu', 1.0, 'apcu_inc');
if (($clock = $clockNs()) !== null && isset($best['inc']['SafeShm'])) {
    Bench::goal('#10.1', null, sprintf('increment stamps the entry\'s update time to the microsecond (meta()): a monotonic clock read, '
        . '%s here (hrtime() less a plain call), of its %s; apcu_inc stamps time(), in seconds', Bench::ns($clock),
        Bench::ns(1e9 / $best['inc']['SafeShm'])));
}
if (isset($syscalls['SafeShm'][0], $syscalls['SafeShm'][100000])) {
    $d = $syscalls['SafeShm'][100000] - $syscalls['SafeShm'][0];
    $a = isset($syscalls['APCu'][0], $syscalls['APCu'][100000]) ? $syscalls['APCu'][100000] - $syscalls['APCu'][0] : null;
    Bench::goal('#10.1', $d < 1000, sprintf('system calls added by 100 000 x (put + get + increment): SafeShm %s, APCu %s (goal < 1 000)',
        number_format($d), $a === null ? 'not measured' : number_format($a)));
} else {
    Bench::goal('#10.1', $strace === '' ? 'SKIP' : 'ERROR', 'system calls of 100 000 x (put + get + increment): '
        . ($strace === '' ? 'strace not installed' : "strace run failed: $syscallErr"));
}

// #10 goals 2 and 3
$peerTxt = fn(?array $r, string $f) => $r === null ? 'not measured' : Bench::ns($r['all'][$f]);
foreach (['issue' => '', 'near full' => ', near full'] as $fill => $suffix) {
    $rd = $bigBest[$fill]['reader'] ?? [];
    $wr = $bigBest[$fill]['write'] ?? [];
    if (!isset($rd['SafeShm'])) {
        Bench::goal('#10.2', $big === null ? 'SKIP' : 'ERROR', "reader beside a rewriting writer$suffix: not measured");
    } else {
        $s = $rd['SafeShm'];
        $ctx = fn(string $f) => sprintf('not preempted/asleep %s; SafeShm with no writer %s; floor %s', Bench::ns($s['clean'][$f]),
            $peerTxt($rd['alone'] ?? null, $f), $peerTxt($rd['floor'] ?? null, $f));
        Bench::goal('#10.2', $s['all']['p9999'] <= 5000 && $s['wrong'] === 0, sprintf('reader beside a rewriting writer%s, p99.99: SafeShm %s, APCu %s (goal <= 5 us; %s)',
            $suffix, Bench::ns($s['all']['p9999']), $peerTxt($rd['APCu'] ?? null, 'p9999'), $ctx('p9999')));
        Bench::goal('#10.2', $s['all']['max'] <= 1e6 && $s['wrong'] === 0, sprintf('reader beside a rewriting writer%s, max: SafeShm %s, APCu %s (goal <= 1 ms; %s)',
            $suffix, Bench::ns($s['all']['max']), $peerTxt($rd['APCu'] ?? null, 'max'), $ctx('max')));
    }
    if (!isset($wr['SafeShm'])) {
        Bench::goal('#10.3', $big === null ? 'SKIP' : 'ERROR', "put/delete/increment latency$suffix: not measured");
    } else {
        $s = $wr['SafeShm'];
        Bench::goal('#10.3', $s['all']['max'] <= 1e6, sprintf('slowest put/delete/increment of %s%s: SafeShm %s (p50 %s, p99 %s, p99.99 %s), APCu %s (goal <= 1 ms; most CPU accounted to one call %s; floor %s)',
            Bench::ops($s['ops']), $suffix, Bench::ns($s['all']['max']), Bench::ns($s['all']['p50']), Bench::ns($s['all']['p99']),
            Bench::ns($s['all']['p9999']), $peerTxt($wr['APCu'] ?? null, 'max'), Bench::ns($s['cpu_max_us'] * 1000), $peerTxt($wr['floor'] ?? null, 'max')));
    }
}
if ($stoppedRounds) {
    $judged = array_filter($stoppedRounds, fn($r) => $r['status'] !== 'n/a');
    $na = array_filter($stoppedRounds, fn($r) => $r['status'] === 'n/a');
    $bad = array_filter($judged, fn($r) => !$r['target_ok'] || !$r['new_ok']);
    Bench::goal('#10.2', $judged !== [] && $bad === [], sprintf(
        'writer stopped mid-mutation: the key being written answers its old value (or its new one once committed) in %d of %d rounds, its new value after SIGCONT in %d%s',
        count(array_filter($judged, fn($r) => $r['target_ok'])), count($judged), count(array_filter($judged, fn($r) => $r['new_ok'])),
        $na ? sprintf(' (%d rounds not judged: %s has no fault point to stop in)', count($na), implode(', ', array_unique(array_column($na, 'what')))) : ''));
    $wrong = array_sum(array_column($stoppedRounds, 'others_wrong'));
    $exc = array_sum(array_map(fn($r) => $r['reads']['errors'] ?? 0, $stoppedRounds));
    Bench::goal('#10.2', $stoppedBest !== null && $stoppedBest['all']['max'] <= 1e6 && $wrong === 0 && $exc === 0, sprintf(
        'writer stopped mid-mutation: gets of every other key, slowest %s (p99.99 %s; not preempted/asleep: slowest %s; %d wrong, %d exceptions) (goal <= 1 ms; no peer has this state)',
        $stoppedBest === null ? 'not measured' : Bench::ns($stoppedBest['all']['max']), $stoppedBest === null ? '-' : Bench::ns($stoppedBest['all']['p9999']),
        $stoppedBest === null ? '-' : Bench::ns($stoppedBest['clean']['max']), $wrong, $exc));
} else {
    foreach (['the key being written answers its old value', 'gets of every other key within 1 ms'] as $what) {
        Bench::goal('#10.2', $hasSafe && ($hooksSo === null || !$run('stopped')) ? 'SKIP' : 'ERROR', "writer stopped mid-mutation, $what: " . ($hooksSo === null ? 'no test build' : 'not measured'));
    }
}

// #10 goal 4
if ($capacity) {
    $ap = $capacity['apcu'] === null ? 'APCu not measured' : 'APCu ' . Bench::ops($capacity['apcu']) . ' per MiB';
    Bench::goal('#10.4', $capacity['1'] >= 12000, sprintf('capacity, 1 MiB store: SafeShm %s int counters, %s (goal >= 12 000)', Bench::ops($capacity['1']), $ap));
    Bench::goal('#10.4', $capacity['64'] >= 800000, sprintf('capacity, 64 MiB store: SafeShm %s int counters, %s (goal >= 800 000)', Bench::ops($capacity['64']), $ap));
} else {
    Bench::goal('#10.4', 'SKIP', 'capacity: SafeShm not loaded');
}

// #10 goal 5
foreach ([10 => [2.0, '90/10'], 2 => [1.5, '50/50']] as $every => [$limit, $label]) {
    foreach ([2, 8, 32] as $procs) {
        $mid = "$procs-" . ($every === 10 ? 90 : 50);
        $safe = $mixBest[$mid]['SafeShm'] ?? null;
        $apcu = $mixBest[$mid]['APCu'] ?? null;
        if ($safe === null || $apcu === null) {
            Bench::goal('#10.5', 'SKIP', "$procs processes $label: " . ($safe === null ? 'SafeShm' : 'APCu') . ' not measured');
            continue;
        }
        $clean = $mixBad[$mid]['SafeShm'] === 0 && $mixCrashed[$mid]['SafeShm'] === 0;
        Bench::goal('#10.5', $safe >= $limit * $apcu && $clean, sprintf('%d processes %s: SafeShm %s ops/s, APCu %s ops/s: %.2fx (goal >= %.1fx%s)',
            $procs, $label, Bench::ops($safe), Bench::ops($apcu), $safe / $apcu, $limit, $clean ? '' : '; WRONG READS OR CRASHES'));
    }
    $m8 = $mixBest["8-" . ($every === 10 ? 90 : 50)]['SafeShm'] ?? null;
    $m32 = $mixBest["32-" . ($every === 10 ? 90 : 50)]['SafeShm'] ?? null;
    if ($m8 !== null && $m32 !== null) {
        $a8 = $mixBest["8-" . ($every === 10 ? 90 : 50)]['APCu'] ?? null;
        $a32 = $mixBest["32-" . ($every === 10 ? 90 : 50)]['APCu'] ?? null;
        Bench::goal('#10.5', $m32 >= 0.8 * $m8, sprintf('32 vs 8 processes %s: SafeShm %s vs %s ops/s: %.2fx, APCu %s (goal >= 0.80x)',
            $label, Bench::ops($m32), Bench::ops($m8), $m32 / $m8, $a8 && $a32 ? sprintf('%.2fx', $a32 / $a8) : 'not measured'));
    }
}

// #11: no speed goal in the issue for these two: the figures and the ratio
foreach (['remember' => "remember() hit vs apcu_entry() hit, {$sl}-byte string", 'put-ttl' => "put with a 60 s TTL vs apcu_store with a TTL, {$sl}-byte string"] as $cid => $what) {
    $safe = $t($cid, 'SafeShm');
    $other = $t($cid, 'APCu');
    Bench::goal('#11', $safe === null || $other === null ? 'SKIP' : null, $safe === null || $other === null ? "$what: not measured"
        : sprintf('%s: SafeShm %s, APCu %s: %.2fx its time', $what, Bench::ns($safe), Bench::ns($other), $safe / $other));
}
if (isset($stampedes['remember'])) {
    $sr = $stampedes['remember'];
    $fmt = fn(?array $x) => $x === null ? 'not measured' : sprintf('%d computations, %s', $x['computes'], Bench::ns($x['wall'] * 1e9));
    Bench::goal('#11', $sr['computes'] === 1 && $sr['wrong'] === 0 && $sr['crashed'] === 0, sprintf(
        'stampede of 50 processes: SafeShm remember() %s, %d wrong answers; APCu apcu_entry() %s; polling lock %s (goal: 1 computation, every process its value)',
        $fmt($sr), $sr['wrong'] + $sr['crashed'], $fmt($stampedes['entry'] ?? null), $fmt($stampedes['poll'] ?? null)));
    if (isset($stampedes['entry'])) {
        Bench::goal('#11', null, sprintf('stampede wall time: SafeShm %s, APCu apcu_entry() %s: %.2fx its time; polling lock %s: %.2fx',
            Bench::ns($sr['wall'] * 1e9), Bench::ns($stampedes['entry']['wall'] * 1e9), $sr['wall'] / $stampedes['entry']['wall'],
            Bench::ns($stampedes['poll']['wall'] * 1e9), $sr['wall'] / $stampedes['poll']['wall']));
    }
} else {
    Bench::goal('#11', 'SKIP', 'stampede: SafeShm not loaded');
}

// #12
$lk = fn(string $n) => isset($lockBest[$n]) ? 1e9 / $lockBest[$n] : null;
$safeLock = $lk('SafeShm lock()');
if ($safeLock === null) {
    Bench::goal('#12', 'SKIP', 'uncontended lock + release: SafeShm not measured');
} else {
    $put = $t('put-string', 'SafeShm');
    Bench::goal('#12', $put !== null && $safeLock <= 2 * $put, sprintf('uncontended lock + release: SafeShm %s, a SafeShm put %s: %.2fx its time (goal <= 2x)',
        Bench::ns($safeLock), $put === null ? '-' : Bench::ns($put), $put === null ? 0 : $safeLock / $put));
    $fl = $lk($flockName);
    Bench::goal('#12', $fl !== null && $fl >= 5 * $safeLock, sprintf('uncontended lock + release: SafeShm %s, %s %s: SafeShm %.1fx faster (goal >= 5x)',
        Bench::ns($safeLock), $flockName, $fl === null ? '-' : Bench::ns($fl), $fl === null ? 0 : $fl / $safeLock));
    if (isset($floorBest['object']) && ($clock = $clockNs()) !== null) {
        $obj = 1e9 / $floorBest['object'];
        Bench::goal('#12', null, sprintf('what a lock() + release() pays in PHP before any locking, here: an object created and freed '
            . 'with two method calls %s, a clock read (the time it was taken, for locks()) %s: %s together, against the %s that '
            . '5x faster than %s allows', Bench::ns($obj), Bench::ns($clock), Bench::ns($obj + $clock),
            $fl === null ? '-' : Bench::ns($fl / 5), $flockName));
    }
    $sem = $lk('sem_acquire()');
    Bench::goal('#12', $sem === null ? 'SKIP' : null, sprintf('uncontended lock + release: SafeShm %s, sem_acquire/sem_release %s: SafeShm %.1fx faster',
        Bench::ns($safeLock), $sem === null ? 'not measured' : Bench::ns($sem), $sem === null ? 0 : $sem / $safeLock));
    $rl = $lk('Redis SET NX PX + script');
    Bench::goal('#12', $rl === null ? 'SKIP' : null, $rl === null ? 'uncontended lock + release vs a Redis lock: no redis-server or phpredis' : sprintf(
        'uncontended lock + release: SafeShm %s, Redis lock on 127.0.0.1 %s: SafeShm %.0fx faster', Bench::ns($safeLock), Bench::ns($rl), $rl / $safeLock));
}
if (isset($handoffs['SafeShm lock()'])) {
    $h = $handoffs['SafeShm lock()'];
    $peers = [];
    foreach ($handoffs as $name => $p) {
        if ($name !== 'SafeShm lock()') {
            $peers[] = sprintf('%s p50 %s p99 %s', $name, Bench::ns($p['p50']), Bench::ns($p['p99']));
        }
    }
    Bench::goal('#12', $h['p50'] <= 50000, sprintf('lock handoff between two processes, p50: SafeShm %s (goal <= 50 us); %s',
        Bench::ns($h['p50']), implode('; ', $peers) ?: 'no peer'));
    Bench::goal('#12', null, sprintf('lock handoff between two processes, p99: SafeShm %s, max %s', Bench::ns($h['p99']), Bench::ns($h['max'])));
} else {
    Bench::goal('#12', $hasSafe ? 'ERROR' : 'SKIP', 'lock handoff between two processes: not measured');
}

if ($only !== null) {
    foreach (Bench::$goals as &$g) {
        if ($g['verdict'] === 'ERROR') {
            $g['verdict'] = 'SKIP';           // its section was not run
        }
    }
    unset($g);
}
Bench::section('Goals: SafeShm\'s figure, the peer\'s from the same run, the ratio' . ($quick ? ' (quick run: speed verdicts are not meaningful)' : ''));
$count = [];
foreach (Bench::$goals as $g) {
    printf("  %-5s %-6s %s\n", $g['verdict'], $g['id'], $g['text']);
    $count[$g['verdict']] = ($count[$g['verdict']] ?? 0) + 1;
}
$failed = array_values(array_filter(Bench::$goals, fn($g) => $g['verdict'] === 'FAIL'));
$broken = array_values(array_filter(Bench::$goals, fn($g) => $g['verdict'] === 'ERROR'));
echo "\n";
printf("Summary: %d goal lines: %s.\n", count(Bench::$goals),
    implode(', ', array_map(fn($v) => ($count[$v] ?? 0) . " $v", ['PASS', 'FAIL', 'INFO', 'SKIP', 'ERROR'])));
if ($failed) {
    echo 'Failed: ' . implode('; ', array_map(fn($g) => $g['id'] . ' ' . preg_replace('/:.*$/', '', $g['text']), $failed)) . "\n";
}
if ($errors) {
    echo 'Cases that broke: ' . implode('; ', array_keys($errors)) . "\n";
}
if ($quick) {
    exit($broken || $errors ? 1 : 0);
}
exit($failed || $broken || $errors ? 1 : 0);
