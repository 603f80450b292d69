<?php
// Keeps package.xml (the PECL package) in step with the repository: its <contents> list, and its release and API
// version, which come from one place, PHP_SAFESHM_VERSION in the extension's header.
//
// usage: php tools/package-files.php [--check] [--present] [--release[=YYYY-MM-DD]] [--out=FILE]
//   (no option)  rewrite package.xml in place
//   --check      change nothing; exit 1 and print the difference when package.xml is stale, or when a file every
//                release needs is missing (for CI)
//   --present    take the files on disk even when git tracks some: by default, once git tracks any file of the
//                package, only git-tracked files are listed, so a stray local file is never shipped
//   --release    also set <date> to today (or the date given): what `pecl package` of a release wants
//   --out=FILE   write the result to FILE instead of package.xml
//
// What belongs in the package, by rule rather than by name (the C sources may be split or renamed):
//   - build files and sources: config.m4, config.w32, the Makefile fragments config.m4 adds, the top-level *.c,
//     *.h and *.stub.php;
//   - README.md, LICENSE, docs/, and every file README.md links to;
//   - tests/: the phpt files and whatever they use (includes, data), except what run-tests.php leaves behind
//     (x.diff, x.out, x.php ... beside x.phpt) and except the subdirectories that are suites of their own with
//     their own run.sh (tests/c, tests/fault, tests/fpm: they need the checkout's tools and build variants).
// Required in every release: config.m4, the sources config.m4 names, each stub with its arginfo header,
// the Makefile fragments config.m4 adds, README.md, LICENSE, and every README link target.

declare(strict_types=1);

$root = dirname(__DIR__);
$opts = getopt('', ['check', 'present', 'release::', 'out:']);
$check = isset($opts['check']);
$present = isset($opts['present']);

/** Paths README.md links to inside the repository (Markdown links and images, without anchors). */
function readme_links(string $root): array
{
    $md = @file_get_contents("$root/README.md") ?: '';
    preg_match_all('~\]\(\s*<?([^)#\s>]+)~', $md, $m);
    $out = [];
    foreach ($m[1] as $l) {
        if (preg_match('~^[a-z][a-z0-9+.-]*:~i', $l) || str_starts_with($l, '/')) {
            continue;                                    // a URL, or an absolute path
        }
        $out[] = rtrim(preg_replace('~^\./~', '', $l), '/');
    }
    return array_values(array_unique($out));
}

/** The sources config.m4 builds (PHP_NEW_EXTENSION's second argument). */
function m4_sources(string $root): array
{
    $m4 = @file_get_contents("$root/config.m4") ?: '';
    if (!preg_match('~PHP_NEW_EXTENSION\(\s*\w+\s*,\s*\[?([^,\]]+)~', $m4, $m)) {
        return [];
    }
    return preg_split('~\s+~', trim($m[1]));
}

/** Directories below tests/ that are suites of their own (they have a run.sh), not shipped. */
function own_suite(string $root, string $path): bool
{
    return (bool) preg_match('~^tests/([^/]+)/~', $path, $m) && is_file("$root/tests/$m[1]/run.sh");
}

/** The Makefile fragments config.m4 adds (PHP_ADD_MAKEFILE_FRAGMENT; no argument: Makefile.frag). */
function m4_fragments(string $root): array
{
    preg_match_all('~^\s*PHP_ADD_MAKEFILE_FRAGMENT(?:\(\s*\[?([^],)]*))?~m', (string) @file_get_contents("$root/config.m4"), $m);
    return array_map(fn ($f) => $f === '' ? 'Makefile.frag' : preg_replace('~^\$(ext_srcdir|abs_srcdir)/~', '', $f), $m[1]);
}

$links = readme_links($root);
$fragments = m4_fragments($root);

/** The package role of a repository path, or null when the path is not part of the package. */
function role_of(string $path): ?string
{
    global $root, $links, $fragments;
    if (in_array($path, $fragments, true)) {
        return 'src';                                    // read by configure
    }
    if (str_starts_with($path, 'tests/')) {
        if (own_suite($root, $path)) {
            return null;
        }
        // what run-tests.php leaves beside x.phpt: x.diff, x.exp, x.log, x.out, x.php, x.sh, x.mem, x.core,
        // x.skip.php, x.clean.php
        if (preg_match('~^(.*?)(\.skip\.php|\.clean\.php|\.(diff|exp|log|out|php|sh|mem|core))$~', $path, $m)
            && is_file("$root/$m[1].phpt")) {
            return null;
        }
        return 'test';
    }
    if (str_starts_with($path, 'docs/')) {
        return 'doc';
    }
    if (!str_contains($path, '/')) {
        if (in_array($path, ['README.md', 'LICENSE'], true)) {
            return 'doc';
        }
        if (in_array($path, ['config.m4', 'config.w32', 'Makefile.frag'], true)
            || (preg_match('~\.(c|h)$|\.stub\.php$~', $path) && $path !== 'config.h')) {
            return 'src';
        }
    }
    foreach ($links as $l) {
        if ($path === $l || str_starts_with($path, "$l/")) {
            return 'doc';
        }
    }
    return null;
}

/** Every file under $dir, as paths relative to $root (no git: what the package could contain). */
function files_under(string $root, string $dir): array
{
    $out = [];
    foreach (scandir($dir === '' ? $root : "$root/$dir") ?: [] as $e) {
        if ($e === '.' || $e === '..' || $e === '.git') {
            continue;
        }
        $rel = $dir === '' ? $e : "$dir/$e";
        if (is_dir("$root/$rel")) {
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
    $files = array_values(array_filter(files_under($root, ''), fn ($f) => role_of($f) !== null));
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

// What every release needs.
$required = array_merge(['config.m4', 'README.md', 'LICENSE'], m4_sources($root));
foreach (glob("$root/*.stub.php") as $stub) {
    $s = basename($stub);
    array_push($required, $s, substr($s, 0, -strlen('.stub.php')) . '_arginfo.h');
}
array_push($required, ...$fragments);
$problems = [];
if (!m4_sources($root)) {
    $problems[] = 'config.m4 names no source (PHP_NEW_EXTENSION not found)';
}
foreach ($links as $l) {
    if (is_dir("$root/$l")) {
        if (!array_filter($files, fn ($f) => str_starts_with($f, "$l/"))) {
            $problems[] = "README.md links to $l/, of which no file is in the package";
        }
    } else {
        $required[] = $l;
    }
}
foreach (array_diff(array_unique($required), $files) as $f) {
    $problems[] = "$f is missing from the package" . (is_file("$root/$f") ? '' : ' (and from the disk)');
}

// The version, from the header that defines PHP_SAFESHM_VERSION.
$version = null;
foreach (glob("$root/*.h") as $h) {
    if (preg_match('~^#\s*define\s+PHP_SAFESHM_VERSION\s+"([^"]+)"~m', (string) file_get_contents($h), $m)) {
        $version = $m[1];
        break;
    }
}
if ($version === null) {
    $problems[] = 'no header defines PHP_SAFESHM_VERSION';
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
if ($version !== null) {
    $new = preg_replace('~(<version>\s*<release>)[^<]*(</release>\s*<api>)[^<]*(</api>)~',
        '${1}' . $version . '${2}' . $version . '${3}', $new, 1);
}
if (isset($opts['release'])) {
    $date = is_string($opts['release']) ? $opts['release'] : date('Y-m-d');
    if (!preg_match('~^\d{4}-\d{2}-\d{2}$~', $date)) {
        fwrite(STDERR, "--release: a date is YYYY-MM-DD\n");
        exit(2);
    }
    $new = preg_replace('~<date>[^<]*</date>~', "<date>$date</date>", $new, 1);
}

if ($check) {
    foreach ($problems as $p) {
        echo "$p\n";
    }
    if ($new === $old && !$problems) {
        printf("package.xml lists the %d package files (%s), version %s\n", count($files), $source, $version);
        exit(0);
    }
    preg_match('~<contents>.*?</contents>~s', $old, $m);
    $was = array_map('trim', explode("\n", $m[0]));
    $now = array_map('trim', explode("\n", $xml));
    foreach (array_diff($was, $now) as $l) { echo "- $l\n"; }
    foreach (array_diff($now, $was) as $l) { echo "+ $l\n"; }
    if ($new !== $old) {
        echo "package.xml is stale: run php tools/package-files.php\n";
    }
    exit(1);
}
foreach ($problems as $p) {
    fwrite(STDERR, "warning: $p\n");
}
$out = $opts['out'] ?? $pkg;
if ($new !== $old || $out !== $pkg) {
    file_put_contents($out, $new);
}
printf("%s: %d files (%s), version %s%s\n", $out === $pkg ? 'package.xml' : $out, count($files), $source,
    $version ?? '?', $new === $old ? ', unchanged' : ', updated');
exit($problems ? 1 : 0);
