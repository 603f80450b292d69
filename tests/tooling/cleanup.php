<?php
/*
 * Removes every store whose name starts with $argv[1], and the int keys listed in the file $argv[2]: what a tooling test run killed before its own
 * cleanup leaves behind. Called by tools/test-tooling.sh from its exit trap.
 */
declare(strict_types=1);

require __DIR__ . '/common.php';

$tag = $argv[1] ?? '';
if (strlen($tag) < 8) {
    fwrite(STDERR, "usage: cleanup.php TAG (at least 8 bytes)\n");
    exit(2);
}
$intKeys = isset($argv[2]) && is_file($argv[2]) ? array_map('intval', file($argv[2], FILE_IGNORE_NEW_LINES)) : [];
$n = 0;
foreach (SafeShm_list_any() as $s) {
    if (($s['name'] !== null && str_starts_with($s['name'], $tag)) || ($s['name'] === null && in_array($s['key'], $intKeys, true))) {
        try {
            (new SafeShm($s['name'] ?? $s['key']))->remove();
            $n++;
        } catch (Throwable $e) {
            fwrite(STDERR, "cannot remove " . ($s['name'] ?? $s['key']) . ": {$e->getMessage()}\n");
        }
    }
}
if ($n > 0) {
    echo "removed $n stores left by killed tests\n";
}
