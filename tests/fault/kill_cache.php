<?php
/*
 * Issue 11: writers of cache entries killed at any instant.
 *
 * A writer child runs, in a 16 KiB segment that TTL entries keep full (so that
 * most writes evict): puts with a TTL, touch(), putMultiple() of TTL entries,
 * putMultiple() of groups of four keys without a TTL (all-or-nothing batches),
 * puts and deletes of keys without a TTL, and remember() (whose in-flight
 * marker is a record of its own). Every value names its key, the writer's
 * sequence number and its batch, and ends in a CRC, so a torn or mixed value
 * cannot pass. The writer logs each operation before the call ("I ...") and its
 * result after it ("R ..."): the parent knows the last committed state of every
 * key without a TTL and the one operation possibly in flight.
 *
 * The parent SIGKILLs the writer at random instants, or once the segment header
 * shows a mutation in progress, a putMultiple() past its commit point (the
 * journal published), or a write that has just evicted an entry; with the hooks build (safeshm.test_fault_delay_us) every
 * step of a mutation sleeps, so kills land inside puts, evictions and batches.
 * After each kill the parent, as the checker: takes the lock (one recovery when
 * the writer died mid-mutation, none otherwise), runs verify(), and checks that
 * - every group is entirely present, all four with the values of one batch (the
 *   last committed one, or the one in flight), or entirely absent;
 * - every key without a TTL holds its last committed value (or the in-flight one);
 * - every TTL entry present is a well-formed value written for that key (eviction
 *   and expiry may have removed any of them);
 * - remember() of the key the writer was in returns a value, and after a delete
 *   computes it at once: a dead writer's marker never blocks (a hit does not
 *   look at markers; a miss purges the dead one);
 * - keys() and count() agree with what reads back.
 *
 * Usage: php -d extension=build-hooks/modules/safeshm.so tests/fault/kill_cache.php [kills=250] [seed]
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

$kills = max(1, (int) ($argv[1] ?? 250));
$seed = isset($argv[2]) ? (int) $argv[2] : random_int(1, 1 << 30);
const SEGMENT_SIZE = 16384;
const LOCK_TIMEOUT = 2;
const GROUPS = 3;
const DATA_KEYS = 4;
const CACHE_KEYS = 24;

ini_set('safeshm.lock_timeout', (string) LOCK_TIMEOUT);
T::start("kill_cache: $kills SIGKILLs of a writer of TTL entries and batches in a " . SEGMENT_SIZE . "-byte segment, seed $seed",
    max(90, (int) ($kills * 0.4)));
if (!T::hooks()) {
    T::check(false, 'the fault hooks are compiled in (run with build-hooks/modules/safeshm.so)',
        'without safeshm.test_fault_delay_us kills rarely land inside a mutation');
    T::finish();
}
mt_srand($seed);

/** Layout-3 header fields (shm_store.h, safeshm_header), read through shmop. */
final class Header3
{
    private ?Shmop $shm;

    public function __construct(int $key)
    {
        $this->shm = function_exists('shmop_open') ? (@shmop_open($key, 'a', 0, 0) ?: null) : null;
        if ($this->shm && ($this->u32(0) !== 0x4D485346 || $this->u32(4) !== 3)) { // "FSHM", layout 3
            $this->shm = null;
        }
    }

    public function ok(): bool { return $this->shm !== null; }
    private function u32(int $off): int { return unpack('V', shmop_read($this->shm, $off, 4))[1]; }
    private function u64(int $off): int { return unpack('P', shmop_read($this->shm, $off, 8))[1]; }
    public function seq(): int { return $this->u64(40); }
    public function lockOwner(): int { return $this->u32(124); }
    public function recoveries(): int { return $this->u64(160); }
    public function expired(): int { return $this->u64(176); }
    public function evicted(): int { return $this->u64(184); }
    public function journal(): int { return $this->u64(208); }
    public function close(): void { $this->shm = null; }
}

$groupKeys = [];
for ($g = 0; $g < GROUPS; $g++) {
    $groupKeys[$g] = array_map(fn($m) => "g$g:$m", range(0, 3));
}
$dataKeys = array_map(fn($i) => "d$i", range(0, DATA_KEYS - 1));
$cacheKeys = array_map(fn($i) => "c$i", range(0, CACHE_KEYS - 1));
$rememberKeys = ['r0', 'r1'];

/** The value written for $key by operation $seq: self-describing, CRC-protected. */
function make_value(string $key, int $seq, int $len): string
{
    $body = "K=$key;S=$seq;L=$len;" . substr(str_repeat(md5("$key#$seq", true), intdiv($len, 16) + 1), 0, $len);
    return $body . ';X=' . sprintf('%08x', crc32($body));
}

/** The seq of a value read back for $key, or a string saying what is wrong with it. */
function identify(mixed $v, string $key): int|string
{
    if (!is_string($v) || !preg_match('/^K=([^;]*);S=(\d+);L=(\d+);/s', $v, $m)) {
        return 'not a value this test writes: ' . substr(var_export($v, true), 0, 60);
    }
    if ($m[1] !== $key) {
        return "a value written for key '$m[1]', not for this key";
    }
    return make_value($key, (int) $m[2], (int) $m[3]) === $v ? (int) $m[2] : "torn or mixed value claiming seq $m[2]";
}

/**
 * The writer: runs until killed. Intent lines "I seq op arg", result lines "R seq res".
 * op: ttlput KEY | touch KEY | ttlmulti - | group G | put KEY | delete KEY | remember KEY
 */
function writer(int $name, string $logFile, int $seq, int $rseed, int $delayUs, array $groupKeys, array $dataKeys,
    array $cacheKeys, array $rememberKeys): never
{
    pcntl_alarm(0);
    ini_set('safeshm.test_fault_delay_us', (string) $delayUs);
    mt_srand($rseed);
    $log = fopen($logFile, 'w');
    $s = new SafeShm($name);
    for (;; $seq++) {
        $r = mt_rand(1, 100);
        $ttl = [0.05, 0.2, 1, 5, 30][mt_rand(0, 4)];
        if ($r <= 35) {
            [$op, $arg] = ['ttlput', $cacheKeys[mt_rand(0, count($cacheKeys) - 1)]];
        } elseif ($r <= 43) {
            [$op, $arg] = ['touch', $cacheKeys[mt_rand(0, count($cacheKeys) - 1)]];
        } elseif ($r <= 53) {
            [$op, $arg] = ['ttlmulti', '-'];
        } elseif ($r <= 70) {
            [$op, $arg] = ['group', (string) mt_rand(0, count($groupKeys) - 1)];
        } elseif ($r <= 84) {
            [$op, $arg] = ['put', $dataKeys[mt_rand(0, count($dataKeys) - 1)]];
        } elseif ($r <= 90) {
            [$op, $arg] = ['delete', $dataKeys[mt_rand(0, count($dataKeys) - 1)]];
        } else {
            [$op, $arg] = ['remember', $rememberKeys[mt_rand(0, count($rememberKeys) - 1)]];
        }
        fwrite($log, "I $seq $op $arg\n");
        try {
            switch ($op) {
                case 'ttlput':
                    $s->put($arg, make_value($arg, $seq, mt_rand(100, 1500)), $ttl);
                    $res = 'ok';
                    break;
                case 'touch':
                    $res = $s->touch($arg, $ttl) ? 'true' : 'false';
                    break;
                case 'ttlmulti':
                    $batch = [];
                    foreach ((array) array_rand(array_flip($cacheKeys), 4) as $k) {
                        $batch[$k] = make_value($k, $seq, mt_rand(100, 900));
                    }
                    $s->putMultiple($batch, $ttl);
                    $res = 'ok';
                    break;
                case 'group':
                    $batch = [];
                    foreach ($groupKeys[(int) $arg] as $k) {
                        $batch[$k] = make_value($k, $seq, mt_rand(40, 250));
                    }
                    $s->putMultiple($batch);
                    $res = 'ok';
                    break;
                case 'put':
                    $s->put($arg, make_value($arg, $seq, mt_rand(40, 300)));
                    $res = 'ok';
                    break;
                case 'delete':
                    $res = $s->delete($arg) ? 'true' : 'false';
                    break;
                case 'remember':
                    $s->remember($arg, fn() => make_value($arg, $seq, mt_rand(40, 300)), $ttl);
                    $res = 'ok';
                    break;
            }
        } catch (SafeShmFullException) {
            $res = 'full';
        } catch (Throwable $e) {
            $res = 'exc:' . get_class($e) . ':' . str_replace(["\n", ' '], ['|', '_'], $e->getMessage());
        }
        fwrite($log, "R $seq $res\n");
    }
}

$name = T::storeName('kill_cache');
$store = T::create($name, SEGMENT_SIZE);
$hdr = new Header3(T::key($name));
if (!T::check($hdr->ok(), 'the segment header is readable (shmop, layout 3)', 'needed to tell where each kill landed')) {
    T::finish();
}
$logFile = tempnam(sys_get_temp_dir(), 'safeshm-kill-cache-');
$parentPid = getmypid();
register_shutdown_function(function () use ($logFile, $parentPid) {
    if (getmypid() === $parentPid) {
        @unlink($logFile);
    }
});

// committed state: group => seq|null, data key => seq|null
$groups = array_fill(0, GROUPS, null);
$data = array_fill_keys($dataKeys, null);
$nextSeq = 1;
$prevRecoveries = 0;
$stat = ['mid_mutation' => 0, 'in_eviction' => 0, 'journal' => 0, 'holding_lock' => 0, 'idle' => 0, 'missed' => 0, 'ops' => 0, 'full' => 0,
    'evictions' => 0, 'rounds_evicting' => 0, 'inflight_group_applied' => 0, 'inflight_group_not' => 0,
    'remember_killed' => 0, 'ttl_present' => 0, 'ttl_checked' => 0, 'max_lock_ms' => 0.0];
$modes = ['random' => 0, 'mutation' => 0, 'journal' => 0, 'eviction' => 0];

for ($round = 1; $round <= $kills; $round++) {
    $mode = ['random', 'mutation', 'journal', 'eviction'][$round % 4];
    $modes[$mode]++;
    $delayUs = [50, 100, 200][mt_rand(0, 2)];
    $evictedBefore = $hdr->evicted();
    file_put_contents($logFile, '');
    $pid = pcntl_fork();
    if ($pid === 0) {
        writer($name, $logFile, $nextSeq, mt_rand(), $delayUs, $groupKeys, $dataKeys, $cacheKeys, $rememberKeys);
    }
    T::trackChild($pid);
    if ($mode === 'random') {
        usleep(mt_rand(0, 30000));
    } else {
        $deadline = microtime(true) + 0.4;
        $hit = false;
        while (microtime(true) < $deadline) {
            $hit = match ($mode) {
                'journal' => $hdr->journal() !== 0,
                // an entry was just evicted and the mutation goes on: more evictions, the allocation, the write
                'eviction' => ($hdr->seq() & 1) === 1 && $hdr->evicted() !== $evictedBefore,
                default => ($hdr->seq() & 1) === 1,
            };
            if ($hit) {
                break;
            }
        }
        $stat['missed'] += (int) !$hit;
        if ($mode !== 'eviction') {
            usleep(mt_rand(0, 200));
        }
    }
    posix_kill($pid, SIGKILL);
    pcntl_waitpid($pid, $status);
    T::untrackChild($pid);
    T::check(pcntl_wifsignaled($status) && pcntl_wtermsig($status) === SIGKILL, "round $round: the writer ran until killed",
        describe_status($status), true);

    $midMutation = ($hdr->seq() & 1) === 1;
    $inJournal = $hdr->journal() !== 0;
    $stat['in_eviction'] += (int) ($mode === 'eviction' && $hit && $midMutation);
    $stat['mid_mutation'] += (int) $midMutation;
    $stat['journal'] += (int) $inJournal;
    $stat['holding_lock'] += (int) ($hdr->lockOwner() === $pid);
    $stat['idle'] += (int) !$midMutation;
    $ev = $hdr->evicted() - $evictedBefore;
    $stat['evictions'] += $ev;
    $stat['rounds_evicting'] += (int) ($ev > 0);

    // replay the log
    $lines = explode("\n", (string) file_get_contents($logFile));
    array_pop($lines); // empty, or a line cut by the kill
    $inflight = null;
    $logOk = true;
    $logDetail = '';
    foreach ($lines as $line) {
        $f = explode(' ', $line);
        if ($f[0] === 'I' && count($f) === 4) {
            $inflight = ['seq' => (int) $f[1], 'op' => $f[2], 'arg' => $f[3]];
            $nextSeq = max($nextSeq, $inflight['seq'] + 1);
            continue;
        }
        if ($f[0] !== 'R' || $inflight === null || (int) $f[1] !== $inflight['seq']) {
            $logOk = false;
            $logDetail = "log out of order at '$line'";
            break;
        }
        $res = $f[2] ?? '';
        $stat['ops']++;
        if ($res === 'full') {
            $stat['full']++;
            if ($inflight['op'] === 'group' || $inflight['op'] === 'put') {
                $logOk = false; // keys without a TTL are a small fraction of the segment: they always fit
                $logDetail = "seq {$inflight['seq']} {$inflight['op']} {$inflight['arg']}: SafeShmFullException for a key without a TTL";
            }
        } elseif (str_starts_with($res, 'exc:')) {
            $logOk = false;
            $logDetail = "seq {$inflight['seq']} {$inflight['op']} {$inflight['arg']}: unexpected $res";
        } else {
            switch ($inflight['op']) {
                case 'group':
                    $groups[(int) $inflight['arg']] = $inflight['seq'];
                    break;
                case 'put':
                    $data[$inflight['arg']] = $inflight['seq'];
                    break;
                case 'delete':
                    if ($res !== ($data[$inflight['arg']] === null ? 'false' : 'true')) {
                        $logOk = false;
                        $logDetail = "seq {$inflight['seq']} delete {$inflight['arg']} returned $res";
                    }
                    $data[$inflight['arg']] = null;
                    break;
            }
        }
        $inflight = null;
    }
    T::check($logOk, "round $round: every call the writer made returned what the committed state implies", $logDetail, true);
    $stat['remember_killed'] += (int) ($inflight && $inflight['op'] === 'remember');

    try {
        $tl = hrtime(true);
        $c = new SafeShm($name);
        $info = $c->info(); // takes the lock: repairs when the writer died mid-mutation
        $lockMs = (hrtime(true) - $tl) / 1e6;
        $stat['max_lock_ms'] = max($stat['max_lock_ms'], $lockMs);
        $recovered = $info['recoveries'] - $prevRecoveries;
        $prevRecoveries = $info['recoveries'];
        T::check($recovered === ($midMutation ? 1 : 0), "round $round: one recovery exactly when the writer died mid-mutation",
            ($midMutation ? 'mid-mutation' : 'between mutations') . ", recoveries +$recovered", true);
        T::check($c->verify() === true, "round $round: verify() after the kill", '', true);

        // groups: all or nothing, the committed batch or the one in flight
        foreach ($groupKeys as $g => $keys) {
            $vals = $c->getMultiple($keys);
            $ids = [];
            foreach ($keys as $k) {
                $ids[$k] = $vals[$k] === null ? null : identify($vals[$k], $k);
            }
            $distinct = array_unique(array_map(fn($x) => var_export($x, true), $ids));
            $seqNow = count($distinct) === 1 ? reset($ids) : 'mixed';
            $flight = $inflight && $inflight['op'] === 'group' && (int) $inflight['arg'] === $g ? $inflight['seq'] : -1;
            $ok = $seqNow === $groups[$g] || $seqNow === $flight;
            if ($flight !== -1 && $ok) {
                $stat[$seqNow === $flight && $flight !== $groups[$g] ? 'inflight_group_applied' : 'inflight_group_not']++;
            }
            T::check($ok, "round $round: group $g is entirely the committed batch, the in-flight one, or absent",
                'read ' . json_encode($ids) . ', committed ' . var_export($groups[$g], true) . ($flight !== -1 ? ", in flight $flight" : ''), true);
            if (is_int($seqNow) || $seqNow === null) {
                $groups[$g] = $seqNow; // go on from what is there
            } else {
                $c->deleteMultiple($keys);
                $groups[$g] = null;
            }
        }
        // keys without a TTL
        foreach ($dataKeys as $k) {
            $v = $c->get($k);
            $id = $v === null ? null : identify($v, $k);
            $flight = $inflight && in_array($inflight['op'], ['put', 'delete'], true) && $inflight['arg'] === $k;
            $after = $flight ? ($inflight['op'] === 'put' ? $inflight['seq'] : null) : $data[$k];
            T::check($id === $data[$k] || $id === $after, "round $round: $k holds its committed value (or the in-flight one)",
                'read ' . var_export($id, true) . ', committed ' . var_export($data[$k], true) . ($flight ? ', in flight ' . var_export($after, true) : ''), true);
            $data[$k] = is_int($id) ? $id : null;
            if (is_string($id)) {
                $c->delete($k);
            }
        }
        // TTL entries: whatever is there is a well-formed value of its key
        foreach (array_merge($cacheKeys, $rememberKeys) as $k) {
            $v = $c->get($k);
            $stat['ttl_checked']++;
            if ($v !== null) {
                $stat['ttl_present']++;
                $id = identify($v, $k);
                T::check(is_int($id), "round $round: TTL entry $k is a well-formed value of its key", (string) $id, true);
                if (!is_int($id)) {
                    $c->delete($k);
                }
            }
        }
        // a marker of the dead writer never blocks remember()
        if ($inflight && $inflight['op'] === 'remember') {
            $t = hrtime(true);
            try {
                $v = $c->remember($inflight['arg'], fn() => make_value($inflight['arg'], 0, 10), 5);
                $ok = is_int(identify($v, $inflight['arg']));
                // and a miss computes at once (a hit does not look at the marker; a miss purges the dead one)
                $c->delete($inflight['arg']);
                $computed = false;
                $c->remember($inflight['arg'], function () use (&$computed, $inflight) {
                    $computed = true;
                    return make_value($inflight['arg'], 0, 10);
                }, 5);
                $ok = $ok && $computed;
                $detail = sprintf('%.1f ms', (hrtime(true) - $t) / 1e6);
            } catch (Throwable $e) {
                $ok = false;
                $detail = get_class($e) . ': ' . $e->getMessage();
            }
            T::check($ok, "round $round: remember() of the key the killed writer was computing returns a value, and computes on a miss", $detail, true);
            T::check($c->info()['locks'] === 0, "round $round: no remember() marker is left once a miss was computed",
                'info()[locks] = ' . $c->info()['locks'], true);
        }
        $keys = $c->keys();
        $readable = count(array_filter($keys, fn($k) => $c->has($k)));
        T::check($readable === count($keys) && count($c) === count($keys), "round $round: keys() and count() agree with what reads back",
            'keys ' . count($keys) . ", readable $readable, count " . count($c), true);
        unset($c);
    } catch (Throwable $e) {
        T::check(false, "round $round: checker", get_class($e) . ': ' . $e->getMessage(), true);
        $prevRecoveries = $store->info()['recoveries'] ?? $prevRecoveries;
    }

    if ($round % 50 === 0 || $round === $kills) {
        printf("  ..    %4d kills: %d mid-mutation (%d after a batch's commit point), %d ops committed, %d full, %d evictions, recoveries %d\n",
            $round, $stat['mid_mutation'], $stat['journal'], $stat['ops'], $stat['full'], $stat['evictions'], $prevRecoveries);
    }
}

$info = $store->info();
$hdr->close();
echo "kills: $kills (random instants {$modes['random']}, waiting for a mutation {$modes['mutation']}, waiting for a batch's "
    . "journal {$modes['journal']}, waiting for an eviction {$modes['eviction']}; windows missed {$stat['missed']})\n";
echo "kill landed: mid-mutation {$stat['mid_mutation']} (of which after a putMultiple()'s commit point, journal published: "
    . "{$stat['journal']}; inside a write that was evicting: {$stat['in_eviction']}); holding the lock {$stat['holding_lock']}; "
    . "between mutations {$stat['idle']}\n";
echo "in-flight group batch found applied {$stat['inflight_group_applied']}, not applied {$stat['inflight_group_not']}; "
    . "writer killed inside remember() {$stat['remember_killed']}\n";
echo "writer operations committed: {$stat['ops']} (SafeShmFullException: {$stat['full']}); TTL entries evicted {$stat['evictions']} "
    . "(in {$stat['rounds_evicting']} rounds), expired reclaimed {$info['expired']}; TTL entries read back {$stat['ttl_present']} of {$stat['ttl_checked']} looked up\n";
printf("recoveries: %d; writes: %d; slowest lock after a kill: %.1f ms\n", $info['recoveries'], $info['writes'], $stat['max_lock_ms']);
T::check($stat['mid_mutation'] >= $kills / 4, 'at least a quarter of the kills landed inside a mutation', "{$stat['mid_mutation']} of $kills");
T::check($stat['journal'] >= 5, 'kills landed after a putMultiple() commit point (rolled forward by recovery)', "{$stat['journal']}");
T::check($stat['rounds_evicting'] >= $kills / 10, 'writes evicted TTL entries in at least a tenth of the rounds', "{$stat['rounds_evicting']} of $kills");
T::check($stat['in_eviction'] >= $kills / 20, 'kills landed inside writes that were evicting', "{$stat['in_eviction']} of $kills");
T::check($info['recoveries'] === $prevRecoveries && $info['recoveries'] >= $kills / 4,
    'the store recovered after each kill mid-mutation', "recoveries {$info['recoveries']}");
T::finish();
