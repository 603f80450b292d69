<?php
// Rewrites the <contents> list of package.xml from the extension's files, so that a PECL package never misses a
// file or ships one that is gone.
//
// usage: php tools/package-files.php [--check] [--present]
//   (no option)  rewrite package.xml in place
//   --check      change nothing; exit 1 and print the difference when package.xml is stale, or when a file
//                every release needs (REQUIRED below) is missing (for CI)
//   --present    take the files on disk even when git tracks some: by default, once git tracks any file of
//                the package, only git-tracked files are listed, so a stray local file is never shipped
//
// What belongs in the package: the build files, the C sources and headers, the stubs, README.md and LICENSE at
// the top, and everything under tests/ that run-tests.php needs (phpt files and their helpers, in any
// subdirectory). Not shipped: the C unit tests (tests/c/), fuzz targets, bench, demo, tools and CI scripts, and
// whatever run-tests.php leaves behind (.diff, .exp, .log, .out, .php, .sh, .mem).

declare(strict_types=1);

$root = dirname(__DIR__);
$check = in_array('--check', $argv, true);
$present = in_array('--present', $argv, true);

const REQUIRED = [
    'config.m4', 'config.w32', 'php_safeshm.h', 'safeshm_internal.h', 'safeshm.c', 'safeshm_attach.c',
    'safeshm_value.c', 'safeshm_native.c', 'safeshm_ops.c', 'safeshm_class.c', 'safeshm_cache.c', 'safeshm_locks.c', 'safeshm_sysvshm.c', 'safeshm_upgrade.c', 'safeshm.stub.php',
    'safeshm_arginfo.h', 'safeshm_compat.stub.php', 'safeshm_compat_arginfo.h',
    'shm_store.c', 'shm_store.h', 'shm_store_int.h', 'shm_heap.c', 'shm_mutate.c', 'shm_room.c', 'shm_recover.c', 'shm_locks.c', 'shm_locks.h', 'shm_migrate.c', 'shm_migrate.h',
    'sem_lock.c', 'sem_lock.h', 'README.md', 'LICENSE',
];

/** The package role of a repository path, or null when the path is not part of the package. */
function role_of(string $path): ?string
{
    if (str_starts_with($path, 'tests/')) {
        if (str_starts_with($path, 'tests/c/') || preg_match('~\.(diff|exp|log|out|php|sh|mem|core)$~', $path)) {
            return null;
        }
        return 'test';
    }
    if (str_contains($path, '/')) {
        return null;
    }
    if (in_array($path, ['README.md', 'LICENSE'], true)) {
        return 'doc';
    }
    if (in_array($path, ['config.m4', 'config.w32'], true) || preg_match('~\.(c|h)$|\.stub\.php$~', $path)) {
        return 'src';
    }
    return null;
}

/** Every file under $dir, as paths relative to $root. */
function files_under(string $root, string $dir): array
{
    $out = [];
    foreach (scandir("$root/$dir") ?: [] as $e) {
        if ($e === '.' || $e === '..') {
            continue;
        }
        $rel = $dir === '' ? $e : "$dir/$e";
        if (is_dir("$root/$rel")) {
            if ($dir === '' && $e !== 'tests') {
                continue;                       // only tests/ has package files below the top
            }
            array_push($out, ...files_under($root, $rel));
        } else {
            $out[] = $rel;
        }
    }
    return $out;
}

$git = function (string $args) use ($root): ?array {
    exec('git -C ' . escapeshellarg($root) . " $args 2>/dev/null", $out, $rc);
    return $rc === 0 ? array_values(array_filter($out, fn ($f) => role_of($f) !== null && is_file("$root/$f"))) : null;
};
$tracked = $git('ls-files');
$untracked = $git('ls-files --others --exclude-standard');   // on disk, not ignored by .gitignore
if ($tracked === null || $untracked === null) {
    // No git: the files on disk, less what phpize/configure generate.
    $files = array_values(array_filter(files_under($root, ''), fn ($f) => role_of($f) !== null && $f !== 'config.h'));
    $source = 'files on disk (no git)';
} elseif ($tracked && !$present) {
    foreach ($untracked as $f) {
        fwrite(STDERR, "note: $f is on disk but not tracked by git: left out (use --present to list it)\n");
    }
    $files = $tracked;
    $source = 'git-tracked files';
} else {
    $files = array_merge($tracked, $untracked);
    $source = 'files on disk that git does not ignore';
}
sort($files);
$missing = array_diff(REQUIRED, $files);
foreach ($missing as $f) {
    fwrite(STDERR, "warning: $f is missing from the package\n");
}

// Nest the paths into <dir> elements: in each directory its files, then its subdirectories, both sorted.
$tree = [];
foreach ($files as $f) {
    $node = &$tree;
    $parts = explode('/', $f);
    $name = array_pop($parts);
    foreach ($parts as $d) {
        $node = &$node['dirs'][$d];
    }
    $node['files'][] = $name;
    unset($node);
}
$render = function (array $node, string $prefix, string $indent) use (&$render): string {
    $xml = '';
    foreach ($node['files'] ?? [] as $name) {
        $xml .= sprintf("%s<file name=\"%s\" role=\"%s\" />\n", $indent, htmlspecialchars($name, ENT_XML1), role_of($prefix . $name));
    }
    $dirs = $node['dirs'] ?? [];
    ksort($dirs, SORT_STRING);
    foreach ($dirs as $d => $sub) {
        $xml .= sprintf("%s<dir name=\"%s\">\n%s%s</dir>\n", $indent, htmlspecialchars((string)$d, ENT_XML1),
            $render($sub, "$prefix$d/", "$indent "), $indent);
    }
    return $xml;
};
$xml = "<contents>\n  <dir name=\"/\">\n" . $render($tree, '', '   ') . "  </dir>\n </contents>";

$pkg = "$root/package.xml";
$old = @file_get_contents($pkg);
if ($old === false || !preg_match('~<contents>.*?</contents>~s', $old)) {
    fwrite(STDERR, "package.xml is missing or has no <contents> element\n");
    exit(2);
}
$new = preg_replace('~<contents>.*?</contents>~s', str_replace(['\\', '$'], ['\\\\', '\\$'], $xml), $old, 1);

if ($check) {
    if ($new === $old && !$missing) {
        printf("package.xml lists the %d package files (%s)\n", count($files), $source);
        exit(0);
    }
    preg_match('~<contents>.*?</contents>~s', $old, $m);
    $was = array_map('trim', explode("\n", $m[0]));
    $now = array_map('trim', explode("\n", $xml));
    foreach (array_diff($was, $now) as $l) { echo "- $l\n"; }
    foreach (array_diff($now, $was) as $l) { echo "+ $l\n"; }
    echo $new === $old ? "required files are missing\n" : "package.xml is stale: run php tools/package-files.php\n";
    exit(1);
}
if ($new !== $old) {
    file_put_contents($pkg, $new);
}
printf("package.xml: %d files (%s)%s\n", count($files), $source, $new === $old ? ', unchanged' : ', updated');
