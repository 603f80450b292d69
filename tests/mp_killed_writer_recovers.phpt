--TEST--
SafeShm multi-process: a writer SIGKILLed at a random instant never leaves the store unreadable or the lock held
--EXTENSIONS--
safeshm
pcntl
posix
--INI--
safeshm.lock_timeout=2
--FILE--
<?php
$key = ftok(__FILE__, 'a');
$s = new SafeShm($key, 32768);
$s->put('sentinel', 'keep me');
$s->put('counter', 0);
mt_srand(99);
$rounds = 40;
$bad = [];
$prevCounter = 0;
for ($round = 0; $round < $rounds; $round++) {
    $seed = mt_rand();
    $pid = pcntl_fork();
    if ($pid === 0) {
        mt_srand($seed);
        $o = $round % 2 ? $s : new SafeShm($key);
        while (true) {
            $k = 'w' . mt_rand(0, 15);
            try {
                switch (mt_rand(0, 3)) {
                    case 0: $o->delete($k); break;
                    case 1: $o->increment('counter'); break;
                    default: $o->put($k, str_repeat(chr(mt_rand(97, 122)), mt_rand(0, 3000))); break;
                }
            } catch (SafeShmFullException $e) {
            }
        }
    }
    usleep(mt_rand(2000, 30000));
    posix_kill($pid, SIGKILL);
    pcntl_waitpid($pid, $status);
    try {
        // A lock-free read first: it must not spin on a half-done mutation.
        if ($s->get('sentinel') !== 'keep me') $bad[] = "$round: sentinel";
        $c = $s->get('counter');
        if (!is_int($c) || $c < $prevCounter) $bad[] = "$round: counter " . var_export($c, true);
        $prevCounter = is_int($c) ? $c : $prevCounter;
        for ($i = 0; $i < 16; $i++) {
            $v = $s->get("w$i");
            if ($v !== null && (!is_string($v) || ($v !== '' && $v !== str_repeat($v[0], strlen($v))))) $bad[] = "$round: w$i torn";
        }
        // The lock is free (SEM_UNDO), and the store is consistent.
        $s->put('probe', $round);
        if ($s->get('probe') !== $round) $bad[] = "$round: probe";
        if (!$s->verify()) $bad[] = "$round: verify";
        if (count($s->keys()) !== count($s)) $bad[] = "$round: keys/count";
    } catch (Throwable $e) {
        $bad[] = "$round: " . get_class($e) . ': ' . $e->getMessage();
    }
}
$info = $s->info();
echo "rounds=$rounds problems=", count($bad), "\n";
foreach (array_slice($bad, 0, 10) as $b) echo "  $b\n";
echo 'counter advanced: ', $prevCounter > 0 ? 'yes' : 'no', "\n";
echo "recoveries=$info[recoveries] lock_timeouts=$info[lock_timeouts]\n";
$s->remove();
?>
--CLEAN--
<?php
try { (new SafeShm(ftok(__DIR__ . '/mp_killed_writer_recovers.php', 'a')))->remove(); } catch (Throwable) {}
?>
--EXPECTF--
rounds=40 problems=0
counter advanced: yes
recoveries=%d lock_timeouts=0
