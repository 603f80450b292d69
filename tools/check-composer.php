<?php
// Checks composer.json, the package PIE installs from, without PIE itself (which downloads a phar):
//   - against tools/pie-composer.schema.json (PIE's php-ext fields, misspelt fields refused), and against every
//     further schema named on the command line (CI passes Composer's own composer-schema.json, which carries
//     PIE's php-ext definitions, from Debian's composer package);
//   - for agreement with the rest of the repository: extension-name is the extension config.m4 builds, the
//     minimum PHP of "require" is package.xml's <php><min>.
// Uses Debian's php-json-schema (justinrainbow/json-schema). Last line: "N passed, N failed".
//
// usage: php tools/check-composer.php [more-schema.json...]

declare(strict_types=1);

$root = dirname(__DIR__);
$passed = 0;
$failed = 0;
function check(bool $ok, string $what): void
{
    global $passed, $failed;
    $ok ? $passed++ : $failed++;
    echo $ok ? "ok: $what\n" : "FAIL: $what\n";
}
function finish(): never
{
    global $passed, $failed;
    echo "$passed passed, $failed failed\n";
    exit($failed ? 1 : 0);
}

foreach (['/usr/share/php/JsonSchema/autoload.php', "$root/vendor/autoload.php"] as $autoload) {
    if (is_file($autoload)) {
        require $autoload;
        break;
    }
}
if (!class_exists(JsonSchema\Validator::class)) {
    check(false, 'JsonSchema not found (apt-get install php-json-schema)');
    finish();
}

$raw = (string) @file_get_contents("$root/composer.json");
$json = json_decode($raw);
check($json instanceof stdClass, 'composer.json is a JSON object' . ($json === null ? ': ' . json_last_error_msg() : ''));
if (!$json instanceof stdClass) {
    finish();
}

$schemas = array_merge(["$root/tools/pie-composer.schema.json"], array_slice($argv, 1));
foreach ($schemas as $path) {
    $schema = json_decode((string) @file_get_contents($path));
    if (!$schema instanceof stdClass) {
        check(false, "schema $path is readable JSON");
        continue;
    }
    $v = new JsonSchema\Validator();
    $data = json_decode($raw);            // the validator may coerce what it checks: a fresh copy each time
    $v->validate($data, $schema);
    foreach ($v->getErrors() as $e) {
        echo "  {$e['property']}: {$e['message']}\n";
    }
    check($v->isValid(), 'composer.json is valid against ' . basename($path));
}

$m4 = (string) @file_get_contents("$root/config.m4");
preg_match('~PHP_NEW_EXTENSION\(\s*\[?(\w+)~', $m4, $m);
$ext = preg_replace('~^ext-~', '', (string) ($json->{'php-ext'}->{'extension-name'} ?? ''));
check($ext !== '' && $ext === ($m[1] ?? null), "php-ext.extension-name \"$ext\" is the extension config.m4 builds (" . ($m[1] ?? 'none') . ')');

$pkg = (string) @file_get_contents("$root/package.xml");
preg_match('~<php>\s*<min>(\d+\.\d+)~', $pkg, $pm);
$req = (string) ($json->require->php ?? '');
preg_match('~(\d+\.\d+)~', $req, $rm);
check(isset($pm[1], $rm[1]) && $pm[1] === $rm[1], "require.php \"$req\" starts at package.xml's minimum PHP " . ($pm[1] ?? '?'));

finish();
