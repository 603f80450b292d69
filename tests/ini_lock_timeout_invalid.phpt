--TEST--
safeshm.lock_timeout: values that are not a number of seconds (abc, five, "", NAN, inf, negative, 5s) are refused with a warning and the old value stays, at runtime and at startup
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=2.5
--FILE--
<?php
foreach (['abc', 'five', '', 'NAN', 'nan', 'inf', 'INF', '-1', '-0.5', '1e400', '5s', '86401', ' 3 ', '0', '0.25', '1e1'] as $v) {
    $r = @ini_set('safeshm.lock_timeout', $v);
    $warning = error_get_last()['message'] ?? '';
    error_clear_last();
    printf("%-8s -> %s, now %s%s\n", var_export($v, true), $r === false ? 'refused' : 'accepted', ini_get('safeshm.lock_timeout'),
        $warning ? " ($warning)" : '');
    ini_set('safeshm.lock_timeout', '2.5');
}
// At startup a bad value leaves the default (5 seconds) in force.
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
foreach (['abc', 'inf', '-3'] as $v) {
    echo "startup $v: ", preg_replace('/\s+/', ' ', trim((string) shell_exec(escapeshellarg($php) . ' ' . getenv('TEST_PHP_EXTRA_ARGS') . ' -d display_startup_errors=1 -d display_errors=1 -d log_errors=0 -d '
        . escapeshellarg("safeshm.lock_timeout=$v") . ' -r ' . escapeshellarg('echo " => ", ini_get("safeshm.lock_timeout");') . ' 2>&1'))), "\n";
}
?>
--EXPECT--
'abc'    -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "abc" given; it stays 2.500)
'five'   -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "five" given; it stays 2.500)
''       -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "" given; it stays 2.500)
'NAN'    -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "NAN" given; it stays 2.500)
'nan'    -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "nan" given; it stays 2.500)
'inf'    -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "inf" given; it stays 2.500)
'INF'    -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "INF" given; it stays 2.500)
'-1'     -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "-1" given; it stays 2.500)
'-0.5'   -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "-0.5" given; it stays 2.500)
'1e400'  -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "1e400" given; it stays 2.500)
'5s'     -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "5s" given; it stays 2.500)
'86401'  -> refused, now 2.5 (ini_set(): safeshm.lock_timeout must be a number of seconds between 0 and 86400, "86401" given; it stays 2.500)
' 3 '    -> accepted, now  3 
'0'      -> accepted, now 0
'0.25'   -> accepted, now 0.25
'1e1'    -> accepted, now 1e1
startup abc: Warning: PHP Startup: safeshm.lock_timeout must be a number of seconds between 0 and 86400, "abc" given; the default applies in Unknown on line 0 => 5
startup inf: Warning: PHP Startup: safeshm.lock_timeout must be a number of seconds between 0 and 86400, "inf" given; the default applies in Unknown on line 0 => 5
startup -3: Warning: PHP Startup: safeshm.lock_timeout must be a number of seconds between 0 and 86400, "-3" given; the default applies in Unknown on line 0 => 5
