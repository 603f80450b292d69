<?php
// The mutation check: small deliberate bugs (mutants) put into a scratch copy of the tree one at a time, each built
// and run against the tests that must catch it. A safety property no test would notice losing is a test missing.
//
// usage: php tools/mutants.php [--ci] [--only=NAME,...] [--list] [--keep] [--jobs=N]
//   (no option)  every mutant against every test listed with it: the table names all that caught it, and a listed
//                test that did not is reported (the list claims more than the tests do)
//   --ci         bounded, for tools/test-all.sh: each mutant's tests in order until the first that catches it
//   --only=...   these mutants only;  --list: print the mutants and their tests, run nothing
//   --keep       keep the scratch tree (its path is printed)
//
// Each mutant is described by the code it changes: a search text that must occur exactly once in its file, and
// its replacement (never line numbers). When the code moved and a search text is missing or ambiguous, the mutant
// "no longer applies": that fails the check until the list is fixed. A mutant that does not compile fails it too.
// A test counts as catching a mutant only if it passes on the unmutated tree (checked once per test, at the end).
//
// Tests: phpt:NAME (tests/NAME.phpt, production build), hooks:NAME (tests/hooks/NAME.phpt, test-hooks build),
// either with @semaphore for a store locked by its semaphore (default: the mutex); c:PROGRAM (tests/c/run.sh
// PROGRAM, ASan/UBSan); fault:SCRIPT (tests/fault/SCRIPT, test-hooks build); fpm (tests/fpm/run.sh, both builds).
//
// Prints the table "mutant | caught by | survived", then "N passed, N failed": mutants caught, and mutants that
// survived, no longer apply or do not build. Exit status 1 unless every mutant was caught.
// Environment: SAFESHM_TEST_KEY_BASE (as tools/test-all.sh sets it), SAFESHM_MUTANTS_TMP (where the scratch tree goes).

declare(strict_types=1);

/**
 * The mutants: name => [file, [[search, replace], ...], tests, what it breaks]. Tests are tried in this order
 * (--ci stops at the first that catches), so the cheapest sure catcher comes first.
 */
const MUTANTS = [
    // ---- the ones issue #15 found the suite blind to, mapped to layout 3 ----
    'no-end-of-request-release' => ['safeshm.c', [[
        "\tif (SAFESHM_G(held)) {\n\t\tphp_safeshm_release(SAFESHM_G(held));\n\t}\n", '']],
        ['hooks:lock_released_max_execution_time', 'hooks:lock_released_max_execution_time@semaphore',
         'hooks:fatal_mid_put_before_publish', 'hooks:read_locked_path_fatal', 'fpm'],
        'the bailout safety net: a lock a fatal error left held is released at the end of the request (RSHUTDOWN); '
        . 'layout 3 runs no user code under the lock, so it has no zend_try around locked work'],
    'get-skips-header-check' => ['safeshm_ops.c', [[
        "\tst = safeshm_store_check_quick(s);\n\tif (st != SAFESHM_OK) {\n\t\tphp_safeshm_throw_status(a, st);\n"
        . "\t\treturn st;\n\t}\n\tif (!php_safeshm_current(a)) {", "\tif (!php_safeshm_current(a)) {"]],
        ['phpt:attach_garbage_header', 'phpt:attach_corrupt_geometry'],
        'a lock-free read checks the header before trusting the segment'],
    'view-valid-always-true' => ['shm_store.c', [[
        "\treturn load64(&HDR(s)->index_gen) == v->gen\n", "\treturn 1 || load64(&HDR(s)->index_gen) == v->gen\n"]],
        ['hooks:read_interleaved_writes', 'hooks:read_interleaved_writes@semaphore'],
        'a lock-free read validates what it copied (the slot, the record version, the index generation): torn reads'],
    'read-valid-always-true' => ['shm_store.c', [[
        "\treturn (seq & 1u) == 0 && __atomic_load_n(&HDR(s)->seq, __ATOMIC_RELAXED) == seq;",
        "\treturn 1 || ((seq & 1u) == 0 && __atomic_load_n(&HDR(s)->seq, __ATOMIC_RELAXED) == seq);"]],
        ['hooks:getmultiple_interleaved_batch'],
        'getMultiple() keeps a lock-free try only when no mutation ran meanwhile (one snapshot)'],
    'no-recovery-from-php' => ['safeshm_lock.c', [[
        "\tif (safeshm_store_needs_recovery(&a->store)) {\n\t\t*st = safeshm_store_recover(&a->store);\n\t}\n",
        "\t(void) a;\n\t(void) st;\n"]],
        ['hooks:killed_at_each_point', 'hooks:fatal_mid_put_before_publish', 'phpt:mp_killed_writer_recovers'],
        'the next lock holder repairs a store its last holder left mid-mutation'],
    'remove-sets-no-flag' => ['safeshm_attach.c', [[
        "\t\tsafeshm_store_mark_removed(&a->store);\n\t}\n\tif (a->lock.semid > 0) {",
        "\t\t(void) 0;\n\t}\n\tif (a->lock.semid > 0) {"]],
        ['phpt:remove_seen_flag_alone'],
        'remove() flags the segment, so that other processes see the removal at once, without a system call'],
    'no-block-bounds-check' => ['shm_store_int.h', [[
        "\tif ((off & 7u) || off < s->arena_off || off > s->arena_end - sizeof(safeshm_block)) {\n\t\treturn 0;",
        "\tif ((off & 7u) || off < s->arena_off) {\n\t\treturn 0;"]],
        ['phpt:corrupt_index_offset', 'c:test_store_hostile'],
        'every offset read from the segment is checked against its end before use (block_sane)'],
    'full-put-drops-old' => ['shm_mutate.c', [[
        "\tif (!off) {\n\t\treturn st;\n\t}\n\tif (events != safeshm_room_events) {",
        "\tif (!off) {\n\t\tif (safeshm_probe(s, q->ns, q->key, q->klen, q->hash, &p) == SAFESHM_OK) {\n"
        . "\t\t\tsafeshm_remove_entry(s, p.slots, p.n, p.slot, p.off, &p.rec);\n\t\t}\n\t\treturn st;\n\t}\n"
        . "\tif (events != safeshm_room_events) {"]],
        ['phpt:put_full_keeps_old'],
        'a put that does not fit leaves the old value'],
    'increment-no-overflow-check' => ['shm_mutate.c', [[
        "\tif (__builtin_add_overflow(cur, by, &next)) {\n\t\treturn SAFESHM_OVERFLOW;\n\t}",
        "\tnext = (int64_t) ((uint64_t) cur + (uint64_t) by);"]],
        ['phpt:increment_overflow'],
        'increment() refuses to overflow'],
    'add-behaves-as-put' => ['shm_mutate.c', [[
        "\t\tcase SAFESHM_PUT_ADD:\n\t\t\tif (live) {\n\t\t\t\treturn SAFESHM_EXISTS;\n\t\t\t}\n\t\t\tbreak;",
        "\t\tcase SAFESHM_PUT_ADD:\n\t\t\tbreak;"]],
        ['phpt:add_basic', 'phpt:mp_increment_add'],
        'add() stores only when the key is absent'],
    'key-limit-off-by-one-up' => ['safeshm_value.c', [[
        "\t\tif (ZSTR_LEN(s) > SAFESHM_MAX_KEY_LEN) {", "\t\tif (ZSTR_LEN(s) > SAFESHM_MAX_KEY_LEN + 1) {"]],
        ['phpt:key_length_limits'],
        'a key of 4097 bytes is a ValueError'],
    'key-limit-off-by-one-down' => ['safeshm_value.c', [[
        "\t\tif (ZSTR_LEN(s) > SAFESHM_MAX_KEY_LEN) {", "\t\tif (ZSTR_LEN(s) >= SAFESHM_MAX_KEY_LEN) {"]],
        ['phpt:key_length_limits'],
        'a key of 4096 bytes works'],
    'mutex-never-made-consistent' => ['sem_lock.c', [[
        "\t\tpthread_mutex_consistent((pthread_mutex_t *) l->mutex);", "\t\t(void) l;"]],
        ['hooks:killed_at_each_point', 'phpt:mp_killed_writer_recovers', 'c:test_lock'],
        'the robust mutex a dead holder left is made consistent, else it is unusable for good'],
    'reader-never-rechecks-removal' => ['safeshm_ops.c', [[
        "\tif (!php_safeshm_current(a)) {\n\t\tphp_safeshm_attachment_forget(a);\n\t\tphp_safeshm_throw_removed(a);\n"
        . "\t\treturn SAFESHM_REMOVED;\n\t}\n\tfor (;;) {", "\tfor (;;) {"]],
        ['phpt:remove_seen_every_read'],
        'a lock-free read notices a removal from outside (ipcrm) at the next system check'],

    // ---- layout 3 ----
    'put-publishes-before-writing' => ['shm_mutate.c', [[
        "\twrite_record(s, off, q, created, live && p.rec.updated > now ? p.rec.updated : now);\n\tq->version = rec_at(s, off)->version;\n\tFAULT(\"put:written\");\n"
        . "\tif (st == SAFESHM_OK) {\n\t\t__atomic_store_n(&p.slots[p.slot], (uint32_t) (off / 8u), __ATOMIC_RELEASE);\n"
        . "\t} else {\n\t\tif (p.slots[p.insert] == SAFESHM_SLOT_TOMB) {\n\t\t\th->tombs -= h->tombs > 0;\n\t\t}\n"
        . "\t\t__atomic_store_n(&p.slots[p.insert], (uint32_t) (off / 8u), __ATOMIC_RELEASE);\n\t}\n",
        "\tif (st == SAFESHM_OK) {\n\t\t__atomic_store_n(&p.slots[p.slot], (uint32_t) (off / 8u), __ATOMIC_RELEASE);\n"
        . "\t} else {\n\t\tif (p.slots[p.insert] == SAFESHM_SLOT_TOMB) {\n\t\t\th->tombs -= h->tombs > 0;\n\t\t}\n"
        . "\t\t__atomic_store_n(&p.slots[p.insert], (uint32_t) (off / 8u), __ATOMIC_RELEASE);\n\t}\n"
        . "\tFAULT(\"put:written\");\n\twrite_record(s, off, q, created, live && p.rec.updated > now ? p.rec.updated : now);\n\tq->version = rec_at(s, off)->version;\n"]],
        ['hooks:relocation_paused_reader', 'hooks:killed_at_each_point', 'c:test_store_readers'],
        'publish, then retire: a record is published (its index slot) only once written in full'],
    'relocation-publishes-before-copying' => ['shm_room.c', [[
        "\tmemcpy(s->base + noff + 8u, s->base + off + 8u, 8u);\n",
        "\t__atomic_store_n(&p.slots[p.slot], (uint32_t) (noff / 8u), __ATOMIC_RELEASE);\n"
        . "\tmemcpy(s->base + noff + 8u, s->base + off + 8u, 8u);\n"]],
        ['hooks:relocation_paused_reader', 'hooks:killed_at_each_point'],
        'a relocated record is published at its new place only once copied there'],
    'ttl-ignored-by-reads' => ['safeshm_ops.c', [[
        "\t\t\tif (v.expires <= now) {\n\t\t\t\tif (safeshm_store_view_valid(s, &v)) {",
        "\t\t\tif (v.expires <= now && 0) {\n\t\t\t\tif (safeshm_store_view_valid(s, &v)) {"]],
        ['phpt:cache_ttl_expiry'],
        'an entry is absent for reads from the instant it expires'],
    'putmany-without-journal' => ['shm_mutate.c', [[
        "\tstore64(&h->journal_off, joff);\n\tFAULT(\"putmany:journal\");", "\tFAULT(\"putmany:journal\");"]],
        ['hooks:killed_at_each_point', 'c:test_store_crash'],
        'putMultiple() publishes its journal before its slots, so that a crash keeps all of the batch or none'],
    'semaphore-without-undo' => ['sem_lock.c', [
        ["\t\t{ .sem_num = 0, .sem_op = 0, .sem_flg = SEM_UNDO | IPC_NOWAIT },\n"
         . "\t\t{ .sem_num = 0, .sem_op = 1, .sem_flg = SEM_UNDO | IPC_NOWAIT },",
         "\t\t{ .sem_num = 0, .sem_op = 0, .sem_flg = IPC_NOWAIT },\n\t\t{ .sem_num = 0, .sem_op = 1, .sem_flg = IPC_NOWAIT },"],
        ["\tops[0].sem_flg = SEM_UNDO;\n\tops[1].sem_flg = SEM_UNDO;", "\tops[0].sem_flg = 0;\n\tops[1].sem_flg = 0;"],
        ["\tstruct sembuf op = { .sem_num = 0, .sem_op = -1, .sem_flg = SEM_UNDO | IPC_NOWAIT };",
         "\tstruct sembuf op = { .sem_num = 0, .sem_op = -1, .sem_flg = IPC_NOWAIT };"]],
        ['hooks:killed_at_each_point@semaphore', 'phpt:mp_killed_writer_recovers@semaphore'],
        'the kernel releases the semaphore of a holder that dies (SEM_UNDO)'],
    'putmultiple-keeps-the-lock' => ['safeshm_ops.c', [[
        "\t*st = safeshm_store_put_many(&a->store, q, n, php_safeshm_now_us());\n\tphp_safeshm_unlock(a);",
        "\t*st = safeshm_store_put_many(&a->store, q, n, php_safeshm_now_us());"]],
        ['phpt:cache_multi_keys'],
        'every locked call releases the lock it took'],
    'lock-wait-unbounded' => ['safeshm_lock.c', [[
        "\n\tls = safeshm_lock_acquire(&a->lock, php_safeshm_timeout_ms(), &waited);",
        "\n\tls = safeshm_lock_acquire(&a->lock, -1, &waited);"], [
        "\t\tls = safeshm_lock_acquire(&a->lock, php_safeshm_timeout_ms(), &waited);",
        "\t\tls = safeshm_lock_acquire(&a->lock, -1, &waited);"]],
        ['hooks:lock_timeout_holder_stopped'],
        'a write waits for the lock at most safeshm.lock_timeout'],
    'eviction-takes-data' => ['shm_room.c', [[
        "\t\tif (v <= SAFESHM_SLOT_TOMB || safeshm_load_record(s, (uint64_t) v * 8u, &r) != SAFESHM_OK\n"
        . "\t\t\t\t|| r.expires == 0 || r.ns != SAFESHM_NS_DATA",
        "\t\tif (v <= SAFESHM_SLOT_TOMB || safeshm_load_record(s, (uint64_t) v * 8u, &r) != SAFESHM_OK\n"
        . "\t\t\t\t|| r.ns != SAFESHM_NS_DATA"]],
        ['phpt:cache_eviction'],
        'eviction takes TTL entries only; data (no TTL) is never evicted'],
];

// ---- the run ------------------------------------------------------------------------------------------------------

$opts = getopt('', ['ci', 'only:', 'list', 'keep']);
$ci = isset($opts['ci']);
$root = dirname(__DIR__);
$mutants = MUTANTS;
if (isset($opts['only'])) {
    $want = explode(',', (string) $opts['only']);
    foreach (array_diff($want, array_keys($mutants)) as $w) {
        fwrite(STDERR, "no mutant named $w\n");
        exit(2);
    }
    $mutants = array_intersect_key($mutants, array_flip($want));
}
if (isset($opts['list'])) {
    foreach ($mutants as $name => [$file, $edits, $tests, $what]) {
        printf("%-36s %-18s %s\n%39s tests: %s\n", $name, $file, $what, '', implode(', ', $tests));
    }
    exit(0);
}

putenv('NO_INTERACTION=1');
putenv('NO_COLOR=1');
putenv('TEST_PHP_EXECUTABLE=' . PHP_BINARY);
if ((string) getenv('SAFESHM_TEST_KEY_BASE') === '') {
    // as tools/test-all.sh derives it for this checkout
    putenv(sprintf('SAFESHM_TEST_KEY_BASE=0x%02X000000', (int) trim((string) shell_exec('printf %s ' . escapeshellarg($root) . ' | cksum | cut -d" " -f1')) % 63 + 1));
}
$t0 = microtime(true);

/** Runs a shell command in $dir with a time limit; [exit status, output (stderr included)]. */
function sh(string $cmd, string $dir, int $limit = 600): array
{
    $p = proc_open(['bash', '-c', "timeout -k 10 $limit bash -c " . escapeshellarg($cmd) . ' 2>&1'], [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w']], $pipes, $dir);
    $out = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    return [proc_close($p), (string) $out];
}

function say(string $s): void
{
    echo $s, "\n";
}

// The scratch tree: the checkout's files (what git tracks or does not ignore), built for production and with the
// test hooks (build-hooks/, a copy of the sources configured by tools/build-variant.sh).
$tmpBase = (string) (getenv('SAFESHM_MUTANTS_TMP') ?: sys_get_temp_dir());
$scratch = rtrim(trim((string) shell_exec('mktemp -d ' . escapeshellarg($tmpBase . '/safeshm-mutants.XXXXXX'))), '/');
if ($scratch === '' || !is_dir($scratch)) {
    say('cannot make a scratch directory under ' . $tmpBase);
    say('0 passed, 1 failed');
    exit(1);
}
register_shutdown_function(function () use ($scratch, $opts) {
    if (isset($opts['keep'])) {
        say("kept the scratch tree $scratch");
    } else {
        sh('rm -rf ' . escapeshellarg($scratch), '/');
    }
});
[$rc, $out] = sh('git ls-files -co --exclude-standard -z | xargs -0 -r sh -c \'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done\' sh'
    . ' | tar --null -T - -cf - | tar -xf - -C ' . escapeshellarg($scratch), $root);
if ($rc !== 0) {
    say("copying the tree failed:\n$out");
    say('0 passed, 1 failed');
    exit(1);
}
say(sprintf('mutation check%s: %d mutants, scratch tree %s, test keys %s', $ci ? ' (--ci: each until its first catch)' : '',
    count($mutants), $scratch, getenv('SAFESHM_TEST_KEY_BASE')));

/** Files changed since the last build, per build ('prod', 'hooks'). */
$GLOBALS['dirty'] = ['prod' => [], 'hooks' => []];

function changed(string $file): void
{
    $GLOBALS['dirty']['prod'][$file] = true;
    $GLOBALS['dirty']['hooks'][$file] = true;
}

/** Builds (incrementally) the production build, and the hooks build when asked; false with the output when not. */
function build(string $scratch, bool $hooks, ?string &$log): bool
{
    static $configured = false, $hooksMade = false;
    $log = '';
    // headers are not tracked by the extension's Makefile: a changed header rebuilds every object
    $touch = static function (string $dir, array $files): string {
        foreach (array_keys($files) as $f) {
            if (str_ends_with($f, '.h')) {
                return 'touch ' . escapeshellarg($dir) . '/*.c && ';
            }
        }
        return '';
    };
    if (!$configured) {
        [$rc, $log] = sh('phpize >/dev/null && ./configure -q --enable-safeshm >/dev/null', $scratch);
        if ($rc !== 0) {
            return false;
        }
        $configured = true;
    }
    [$rc, $log] = sh($touch($scratch, $GLOBALS['dirty']['prod']) . 'make -j2 >/dev/null', $scratch);
    if ($rc !== 0) {
        return false;
    }
    $GLOBALS['dirty']['prod'] = [];
    if ($hooks) {
        if (!$hooksMade) {
            // a copy of the sources as they are now, configured with the hooks
            [$rc, $log] = sh('bash tools/build-variant.sh hooks >/dev/null', $scratch);
            if ($rc !== 0) {
                return false;
            }
            $hooksMade = true;
            $GLOBALS['dirty']['hooks'] = [];
        }
        $cp = '';
        foreach (array_keys($GLOBALS['dirty']['hooks']) as $f) {
            $cp .= 'cp ' . escapeshellarg("$scratch/$f") . ' ' . escapeshellarg("$scratch/build-hooks/$f") . ' && ';
        }
        [$rc, $log] = sh($cp . $touch("$scratch/build-hooks", $GLOBALS['dirty']['hooks']) . 'make -j2 >/dev/null', "$scratch/build-hooks");
        if ($rc !== 0) {
            return false;
        }
        $GLOBALS['dirty']['hooks'] = [];
    }
    return true;
}

function needs_hooks(string $test): bool
{
    return str_starts_with($test, 'hooks:') || str_starts_with($test, 'fault:') || $test === 'fpm';
}

/**
 * Runs one test against the scratch tree's builds: 'pass', 'fail', 'skip', or 'flaky' (run-tests.php retries a
 * failed test that sleeps or measures time, and reports WARN when the retry passed: not a sure outcome either
 * way), and what it printed.
 */
function run_test(string $scratch, string $test): array
{
    $lock = 'mutex';
    if (preg_match('/^(.*)@(mutex|semaphore)$/', $test, $m)) {
        [$test, $lock] = [$m[1], $m[2]];
    }
    $prod = "$scratch/modules/safeshm.so";
    $hooks = "$scratch/build-hooks/modules/safeshm.so";
    [$kind, $name] = explode(':', $test . ':', 3);
    switch ($kind) {
        case 'phpt':
        case 'hooks':
            $file = $kind === 'phpt' ? "tests/$name.phpt" : "tests/hooks/$name.phpt";
            $so = $kind === 'phpt' ? $prod : $hooks;
            [$rc, $out] = sh(sprintf('%s run-tests.php -q --no-color --no-progress -j1 -d extension=%s -d safeshm.lock=%s %s',
                escapeshellarg(PHP_BINARY), escapeshellarg($so), $lock, escapeshellarg($file)), $scratch, 300);
            if (preg_match('/^PASS .*\[' . preg_quote($file, '/') . '\]/m', $out)) {
                return ['pass', $out];
            }
            if (preg_match('/^SKIP .*\[' . preg_quote($file, '/') . '\]/m', $out)) {
                return ['skip', $out];
            }
            if (preg_match('/^WARN .*\[' . preg_quote($file, '/') . '\]/m', $out)) {
                return ['flaky', $out];
            }
            $diff = @file_get_contents($scratch . '/' . substr($file, 0, -5) . '.diff');
            return ['fail', $out . ($diff !== false ? "\n--- diff\n" . $diff : '')];
        case 'c':
            [$rc, $out] = sh('bash tests/c/run.sh ' . escapeshellarg($name), $scratch, 600);
            break;
        case 'fault':
            [$rc, $out] = sh(sprintf('%s -d extension=%s -d safeshm.lock=%s tests/fault/%s', escapeshellarg(PHP_BINARY),
                escapeshellarg($hooks), $lock, escapeshellarg($name)), $scratch, 300);
            $rc = $rc === 0 && preg_match('/^\d+ passed, 0 failed$/m', $out) ? 0 : 1;
            break;
        case 'fpm':
            [$rc, $out] = sh(sprintf('SAFESHM_SO=%s SAFESHM_FPM_HOOKS_SO=%s bash tests/fpm/run.sh', escapeshellarg($prod),
                escapeshellarg($hooks)), $scratch, 600);
            break;
        default:
            return ['fail', "unknown test $test"];
    }
    return [$rc === 0 ? 'pass' : 'fail', $out];
}

/** The last lines of a test's output worth showing, binary bytes escaped. */
function excerpt(string $out, int $lines = 12): string
{
    $keep = array_slice(array_values(array_filter(explode("\n", $out), fn($l) => trim($l) !== '')), -$lines);
    return implode("\n", array_map(fn($l) => '      ' . substr(addcslashes($l, "\0..\10\13..\37\177..\377"), 0, 300), $keep));
}

$rows = [];       // name => ['caught' => [tests], 'missed' => [tests], 'error' => string|null, 'secs' => float]
$catchers = [];   // test => [mutants it caught]: each must pass on the unmutated tree
foreach ($mutants as $name => [$file, $edits, $tests, $what]) {
    $tm = microtime(true);
    $row = ['caught' => [], 'missed' => [], 'error' => null, 'secs' => 0.0];
    $path = "$scratch/$file";
    $orig = @file_get_contents($path);
    $src = $orig;
    foreach ($edits as $i => [$search, $replace]) {
        $n = $src === false ? 0 : substr_count($src, $search);
        if ($n !== 1) {
            $row['error'] = sprintf('no longer applies: the search text of edit %d is in %s %d times, not once', $i + 1, $file, $n);
            break;
        }
        $src = str_replace($search, $replace, $src);
    }
    if ($row['error'] === null) {
        file_put_contents($path, $src);
        changed($file);
        $hooks = (bool) array_filter($tests, 'needs_hooks');
        if (!build($scratch, $hooks && !$ci, $log)) {
            $row['error'] = "does not build:\n" . excerpt($log);
        } else {
            $hooksBuilt = $hooks && !$ci;
            foreach ($tests as $test) {
                if (needs_hooks($test) && !$hooksBuilt) {
                    if (!build($scratch, true, $log)) {
                        $row['error'] = "the hooks build does not build:\n" . excerpt($log);
                        break;
                    }
                    $hooksBuilt = true;
                }
                [$res, $out] = run_test($scratch, $test);
                if ($res === 'fail') {
                    $row['caught'][] = $test;
                    $catchers[$test][] = $name;
                    if ($ci) {
                        break;
                    }
                } else {
                    $row['missed'][] = $test . match ($res) { 'skip' => ' (skipped)', 'flaky' => ' (failed once, passed on retry)', default => '' };
                }
            }
        }
        file_put_contents($path, $orig);
        changed($file);
    }
    $row['secs'] = microtime(true) - $tm;
    $rows[$name] = $row;
    printf("  %-36s %s (%.0f s)\n", $name, $row['error'] !== null ? 'ERROR: ' . strtok($row['error'], "\n")
        : ($row['caught'] ? 'caught by ' . implode(', ', $row['caught']) : 'SURVIVED'), $row['secs']);
}

// The catching tests on the unmutated tree: a test that fails there proves nothing.
$baseline = [];
if ($catchers) {
    if (!build($scratch, (bool) array_filter(array_keys($catchers), 'needs_hooks'), $log)) {
        say("the unmutated tree does not build:\n" . excerpt($log));
        foreach ($catchers as $test => $_) {
            $baseline[$test] = 'unmutated tree does not build';
        }
    } else {
        foreach ($catchers as $test => $_) {
            [$res, $out] = run_test($scratch, $test);
            if ($res === 'flaky') {
                say("  note: $test failed once on the unmutated tree and passed on retry (flaky)");
            } elseif ($res !== 'pass') {
                $baseline[$test] = $res === 'skip' ? 'skips on the unmutated tree' : 'fails on the unmutated tree';
                say("  $test {$baseline[$test]}:\n" . excerpt($out, 20));
            }
        }
    }
}

// ---- the table ----------------------------------------------------------------------------------------------------

$by = [];
foreach ($rows as $name => $row) {
    $by[$name] = $row['error'] !== null ? '(' . strtok($row['error'], "\n") . ')'
        : implode(', ', array_filter($row['caught'], fn($t) => !isset($baseline[$t])));
}
$w = max(array_map('strlen', array_keys($rows))) + 1;
$w2 = min(100, max(array_map('strlen', $by))) + 1;
echo "\n";
printf("%-{$w}s| %-{$w2}s| %s\n", 'mutant', 'caught by', 'survived');
echo str_repeat('-', $w), '|', str_repeat('-', $w2 + 1), '|', str_repeat('-', 9), "\n";
$caught = $failed = 0;
$notes = [];
foreach ($rows as $name => $row) {
    $valid = array_values(array_filter($row['caught'], fn($t) => !isset($baseline[$t])));
    $ok = $row['error'] === null && $valid;
    $ok ? $caught++ : $failed++;
    printf("%-{$w}s| %-{$w2}s| %s\n", $name, $by[$name], $ok ? '' : ($row['error'] !== null ? 'NOT RUN' : 'SURVIVED'));
    if ($row['error'] !== null && str_contains($row['error'], "\n")) {
        $notes[] = "$name: {$row['error']}";
    }
    foreach (array_diff($row['caught'], $valid) as $t) {
        $notes[] = "$name: caught by $t, which {$baseline[$t]}: not counted";
    }
    if (!$ci && $row['missed']) {
        $notes[] = "$name: listed, but not caught by: " . implode(', ', $row['missed']);
    }
    if (!$ok && $row['error'] === null) {
        $notes[] = "$name ({$mutants[$name][3]}): no test noticed; ran " . implode(', ', $row['missed']);
    }
}
if (array_filter($rows, fn($r) => $r['error'] !== null && str_starts_with($r['error'], 'no longer applies'))) {
    $notes[] = 'A mutant that no longer applies names code that moved or changed: fix its search text in MUTANTS '
        . '(tools/mutants.php) to the code that now does the same thing.';
}
if ($notes) {
    echo "\n", implode("\n", $notes), "\n";
}
printf("\nmutation check: %d mutants, %d caught, %d not; %.0f s\n", count($rows), $caught, $failed, microtime(true) - $t0);
say("$caught passed, $failed failed");
exit($failed === 0 ? 0 : 1);
