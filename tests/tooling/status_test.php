<?php
/*
 * status/safeshm.php over a real server (php -S on the loopback), looked at by headless Chromium:
 * the stores and keys in the DOM, hostile keys inert, the key browser, the named locks; deletes refused
 * without a password, a login or a CSRF token (plain POSTs with curl). Prints "screenshot: PATH".
 */
declare(strict_types=1);

require __DIR__ . '/common.php';

const PAGE_DIR = __DIR__ . '/../../status';
const PASSWORD = 'correct horse battery staple';

final class Env
{
    public static string $chromium = '';
    public static string $profile = '';
    /** @var array<string, array{0: resource, 1: int}> servers by label: process, port */
    public static array $servers = [];
}

function find_chromium(): string
{
    foreach ([getenv('CHROMIUM') ?: '', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'] as $c) {
        if ($c !== '' && is_executable($c)) {
            return $c;
        }
    }
    return '';
}

function free_port(): int
{
    $s = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
    $port = (int) substr(strrchr(stream_socket_get_name($s, false), ':'), 1);
    fclose($s);
    return $port;
}

/** Starts php -S on the loopback serving the status page; returns its base URL. */
function start_server(string $label, array $env): string
{
    $port = free_port();
    $log = sys_get_temp_dir() . "/safeshm-status-server-$label-" . getmypid() . '.log';
    $p = proc_open(array_merge(php_cmd(), ['-S', "127.0.0.1:$port", '-t', PAGE_DIR]),
        [0 => ['file', '/dev/null', 'r'], 1 => ['file', $log, 'w'], 2 => ['file', $log, 'a']], $pipes, null,
        $env + getenv());
    Env::$servers[$label] = [$p, $port, $log];
    /* the runner's trap stops the server even if this process is killed */
    if (getenv('SAFESHM_TOOLING_RUN')) {
        file_put_contents(getenv('SAFESHM_TOOLING_RUN') . "/server-$label-" . getmypid() . '.pid', proc_get_status($p)['pid']);
    }
    for ($i = 0; $i < 100; $i++) {
        $c = @fsockopen('127.0.0.1', $port, $errno, $errstr, 0.1);
        if ($c) {
            fclose($c);
            return "http://127.0.0.1:$port/safeshm.php";
        }
        usleep(100_000);
    }
    throw new Failed("php -S did not start: " . @file_get_contents($log));
}

function stop_servers(): void
{
    foreach (Env::$servers as [$p, , $log]) {
        proc_terminate($p);
        proc_close($p);
        @unlink($log);
    }
    Env::$servers = [];
}

function chromium_args(): array
{
    $args = [Env::$chromium, '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars',
        '--user-data-dir=' . Env::$profile, '--window-size=1400,1100'];
    if (function_exists('posix_geteuid') && posix_geteuid() === 0) {
        $args[] = '--no-sandbox';
    }
    return $args;
}

/** The DOM after Chromium loaded the page and ran whatever scripts it has. */
function dom(string $url): string
{
    [$rc, $out, $err] = run(array_merge(['timeout', '90'], chromium_args(), ['--dump-dom', $url]));
    if ($rc !== 0 || !str_contains($out, '</html>')) {
        throw new Failed("chromium --dump-dom $url failed ($rc): " . substr($err, -500));
    }
    return $out;
}

/** curl: [HTTP status, headers, body]. */
function curl(string $url, array $post = null, string $cookie = ''): array
{
    $cmd = ['curl', '-s', '-i', '--max-time', '30'];
    if ($cookie !== '') {
        $cmd[] = '-H';
        $cmd[] = "Cookie: $cookie";
    }
    if ($post !== null) {
        $cmd[] = '--data';
        $cmd[] = http_build_query($post);
    }
    $cmd[] = $url;
    [$rc, $out, $err] = run($cmd);
    if ($rc !== 0) {
        throw new Failed("curl $url failed ($rc): $err");
    }
    [$head, $body] = explode("\r\n\r\n", $out, 2) + [1 => ''];
    preg_match('~^HTTP/\S+ (\d+)~', $head, $m);
    return [(int) ($m[1] ?? 0), $head, $body];
}

function store_key(SafeShm $s): int
{
    return $s->info()['key'];
}

/* ---------------------------------------------------------------------------------------------- */

Env::$chromium = find_chromium();
Env::$profile = sys_get_temp_dir() . '/safeshm-status-chromium-' . getmypid();
register_shutdown_function(static function (): void {
    stop_servers();
    if (Env::$profile !== '' && is_dir(Env::$profile)) {
        exec('rm -rf ' . escapeshellarg(Env::$profile));
    }
});
$rw = start_server('rw', ['SAFESHM_STATUS_PASSWORD' => password_hash(PASSWORD, PASSWORD_DEFAULT)]);
$ro = start_server('ro', ['SAFESHM_STATUS_PASSWORD' => '']);

const HOSTILE = [
    '<script>alert(1)</script>',
    '<script>document.title="pwned-key"</script>',
    '"><img src=x onerror="document.title=\'pwned-attr\'">',
];

test('the page lists the store and its keys; hostile keys, values and store names are inert text',
    ['locks', 'meta'], function () use ($ro) {
    check(Env::$chromium !== '', 'needs chromium (Debian: chromium)');
    [$name, $s] = new_store('page-<i>x</i>');
    $s->put('user:1', 'Ada');
    $s->put('config:db', ['host' => 'db1', 'port' => 5432]);
    foreach (HOSTILE as $k) {
        $s->put($k, 'hostile key');
    }
    $s->put('hostile-value', '</td></tr></table><script>document.title="pwned-value"</script>');
    $html = dom($ro);
    check(str_contains($html, '<title>SafeShm status</title>'), 'overview: the title is ours');
    check(str_contains($html, h_t($name)), "overview lists the store $name, escaped");
    $html = dom("$ro?store=" . store_key($s));
    check(str_contains($html, '<title>SafeShm status</title>'), 'no script changed the title: '
        . (preg_match('~<title>(.*?)</title>~s', $html, $m) ? $m[1] : '?'));
    check(!preg_match('/<script|<img/i', $html), 'no <script> or <img> element in the DOM');
    foreach (array_merge(['user:1', 'config:db', 'Ada'], HOSTILE) as $k) {
        check(str_contains($html, h_t($k)), 'the DOM shows ' . $k . ' as text');
    }
    check(str_contains($html, h_t('</td></tr></table><script>document.title="pwned-value"</script>')), 'hostile value as text');
    check(str_contains($html, 'array(2) [host =&gt; "db1", port =&gt; 5432]'), 'array preview');
    check(str_contains($html, 'keys 1–' . (3 + count(HOSTILE)) . ' of ' . (3 + count(HOSTILE))), 'key count');
});

/** Text as Chromium serializes it in the DOM (only &, < and > are escaped in text nodes). */
function h_t(string $s): string
{
    return str_replace(['&', '<', '>', "\u{a0}"], ['&amp;', '&lt;', '&gt;', '&nbsp;'], $s);
}

test('key browser: prefix filter and pagination', ['locks', 'meta', 'keys/1'], function () use ($ro) {
    [, $s] = new_store('pages', 1 << 20);
    for ($i = 0; $i < 120; $i++) {
        $s->put(sprintf('item:%03d', $i), $i);
    }
    $s->put('other', 1);
    $base = "$ro?store=" . store_key($s);
    [$code, , $body] = curl("$base&prefix=item:");
    same(200, $code);
    check(str_contains($body, 'keys 1–50 of 120'), 'first page of the prefix');
    check(str_contains($body, 'item:000') && str_contains($body, 'item:049') && !str_contains($body, 'item:050'), 'first 50 keys');
    check(!str_contains($body, '>other<'), 'the prefix filters');
    check(str_contains($body, 'page=2'), 'a link to the next page');
    [, , $body] = curl("$base&prefix=item:&page=3");
    check(str_contains($body, 'keys 101–120 of 120') && str_contains($body, 'item:119'), 'last page');
    [, , $body] = curl($base);
    check(str_contains($body, 'keys 1–50 of 121'), 'no prefix: every key');
});

test('value preview: type, size, TTL left; binary as hex; nested arrays bounded', ['locks', 'meta', 'put/3'],
    function () use ($ro) {
    [, $s] = new_store('preview', 1 << 20);
    $s->put('bin', "\x00\x01\xfe\xff");
    $s->put('session', 'token', 600);
    $deep = ['a' => ['b' => ['c' => ['d' => ['e' => 'too deep']]]], 'list' => range(1, 100)];
    $s->put('deep', $deep);
    $s->put('long', str_repeat('x', 100000));
    $base = "$ro?store=" . store_key($s);
    [, , $body] = curl($base);
    check(str_contains($body, '00 01 fe ff'), 'binary as hex');
    check((bool) preg_match('~<td>binary</td><td class="num">4 B</td>~', $body), 'binary type and size');
    check((bool) preg_match('~(\d+) min \d+ s~', $body, $m) && (int) $m[1] <= 10 && (int) $m[1] >= 9, 'TTL left about 10 min');
    check(strlen($body) < 60000, 'a 100 kB value is not sent whole: ' . strlen($body));
    [, , $body] = curl("$base&key=deep");
    check(str_contains($body, '<th>type</th><td>array(2)</td>'), 'detail view of one key');
    check(str_contains($body, 'c =&gt; array(1) […]'), 'nesting cut at depth 3');
    check(str_contains($body, '19 =&gt; 20, … 80 more'), 'a long list cut at 20 items');
    [, , $body] = curl("$base&key=absent");
    check(str_contains($body, 'is not in the store'), 'a missing key');
});

test('held named locks are listed with their pid', ['locks', 'lock', 'meta'], function () use ($ro) {
    [$name, $s] = new_store('locks');
    $script = tempnam(sys_get_temp_dir(), 'safeshm-holder-');
    file_put_contents($script, '<?php $s = new SafeShm($argv[1]); $l = $s->lock("<b>rebuild</b>");'
        . ' echo $l ? "held\n" : "no\n"; fgets(STDIN);');
    $holder = proc_open(array_merge(php_cmd(), [$script, $name]), [0 => ['pipe', 'r'], 1 => ['pipe', 'w']], $p);
    try {
        same("held\n", fgets($p[1]));
        $pid = proc_get_status($holder)['pid'];
        [, , $body] = curl($ro);
        check(str_contains($body, '&lt;b&gt;rebuild&lt;/b&gt;'), 'lock name, escaped');
        check(str_contains($body, "<td class=\"mono\">$pid</td>"), "holder pid $pid");
        check(str_contains($body, 'exclusive'), 'mode');
    } finally {
        fwrite($p[0], "\n");
        fclose($p[0]);
        proc_close($holder);
        unlink($script);
    }
});

test('read-only without a password: no delete buttons, and a POST is refused', ['locks', 'meta'],
    function () use ($ro) {
    [, $s] = new_store('readonly');
    $s->put('k', 'v');
    [, , $body] = curl("$ro?store=" . store_key($s));
    check(str_contains($body, '<table id="keys">') && str_ends_with(rtrim($body), '</html>'), 'the whole page: ' . substr($body, -300));
    check(str_contains($body, 'read-only'), 'says read-only');
    check(!str_contains($body, 'name="token"') && !str_contains($body, '>delete<'), 'no delete forms');
    foreach ([['action' => 'delete', 'store' => store_key($s), 'key' => 'k'], ['action' => 'login', 'password' => PASSWORD]] as $post) {
        [$code, , $body] = curl($ro, $post);
        same(403, $code, $post['action']);
    }
    same('v', $s->get('k'), 'the key is still there');
});

test('deletes need the password, a POST and the CSRF token', ['locks', 'meta', 'deletePrefix'],
    function () use ($rw) {
    [, $s] = new_store('csrf');
    foreach (['k', 'tmp:1', 'tmp:2', 'z'] as $k) {
        $s->put($k, 'v');
    }
    $key = store_key($s);
    $del = ['action' => 'delete', 'store' => $key, 'key' => 'k'];
    [$code, , $body] = curl($rw, $del);
    same(403, $code, 'not logged in');
    [$code] = curl($rw, ['action' => 'login', 'password' => 'wrong']);
    same(403, $code, 'wrong password');
    [$code, $head] = curl($rw, ['action' => 'login', 'password' => PASSWORD]);
    same(303, $code, 'login');
    check((bool) preg_match('~^Set-Cookie: (safeshm_status=[^;]+);.*HttpOnly.*SameSite=Strict~mi', $head, $m), 'auth cookie: ' . $head);
    $cookie = $m[1];
    [$code, , $body] = curl($rw, $del, $cookie);
    same(403, $code, 'no token');
    check(str_contains($body, 'CSRF'), 'says CSRF: ' . $body);
    [$code] = curl($rw, $del + ['token' => str_repeat('0', 64)], $cookie);
    same(403, $code, 'wrong token');
    [$code] = curl("$rw?" . http_build_query($del), null, $cookie);
    same(200, $code, 'a GET with the same parameters only shows the page');
    same('v', $s->get('k'), 'nothing deleted so far');
    [, , $page] = curl("$rw?store=$key", null, $cookie);
    check((bool) preg_match('~name="token" value="([0-9a-f]{64})"~', $page, $t), 'the page carries the token');
    [$code, $head] = curl($rw, $del + ['token' => $t[1]], $cookie);
    same(303, $code, 'delete with the token');
    same(null, $s->get('k'), 'deleted');
    [$code] = curl($rw, ['action' => 'delete_prefix', 'store' => $key, 'prefix' => 'tmp:', 'token' => $t[1]], $cookie);
    same(303, $code, 'delete prefix');
    same(['z'], $s->keys());
    [$code] = curl($rw, ['action' => 'clear', 'store' => $key, 'token' => $t[1]], $cookie);
    same(303, $code, 'clear');
    same(0, count($s));
    /* a forged cookie gets nowhere */
    [$code] = curl($rw, $del + ['token' => $t[1]], 'safeshm_status=9999999999.' . str_repeat('a', 64));
    same(403, $code, 'forged cookie');
});

/** A request to php-fpm through cgi-fcgi: [status, headers, body]. */
function fcgi(string $sock, string $method, string $query = '', string $body = '', string $cookie = ''): array
{
    $env = ['SCRIPT_FILENAME' => realpath(PAGE_DIR . '/safeshm.php'), 'SCRIPT_NAME' => '/safeshm.php',
        'REQUEST_URI' => '/safeshm.php' . ($query === '' ? '' : "?$query"), 'QUERY_STRING' => $query,
        'REQUEST_METHOD' => $method, 'SERVER_NAME' => 'localhost', 'SERVER_PROTOCOL' => 'HTTP/1.1',
        'GATEWAY_INTERFACE' => 'CGI/1.1', 'REMOTE_ADDR' => '127.0.0.1'];
    if ($method === 'POST') {
        $env += ['CONTENT_TYPE' => 'application/x-www-form-urlencoded', 'CONTENT_LENGTH' => (string) strlen($body)];
    }
    if ($cookie !== '') {
        $env['HTTP_COOKIE'] = $cookie;
    }
    [$rc, $out, $err] = run(['timeout', '30', 'cgi-fcgi', '-bind', '-connect', $sock], $body, $env);
    if ($rc !== 0) {
        throw new Failed("cgi-fcgi failed ($rc): $err");
    }
    [$head, $page] = explode("\r\n\r\n", $out, 2) + [1 => ''];
    return [preg_match('~^Status: (\d+)~m', $head, $m) ? (int) $m[1] : 200, $head, $page];
}

test('under php-fpm: the page, the password hash from a file named in the pool\'s env[], CSRF', ['locks', 'meta'], function () {
    $fpm = is_executable('/usr/sbin/php-fpm8.2') ? '/usr/sbin/php-fpm8.2' : trim((string) shell_exec('command -v php-fpm'));
    check($fpm !== '' && is_executable('/usr/bin/cgi-fcgi'), 'needs php-fpm and cgi-fcgi (Debian: php8.2-fpm, libfcgi-bin)');
    [$name, $s] = new_store('fpm');
    $s->put('k', 'v');
    $s->put('<script>alert(1)</script>', 'x');
    $dir = sys_get_temp_dir() . '/safeshm-status-fpm-' . getmypid();
    @mkdir($dir);
    /* a hash starts with "$", which FPM's env[] takes for a variable of its environment: hence the file */
    file_put_contents("$dir/status.hash", password_hash(PASSWORD, PASSWORD_DEFAULT) . "\n");
    file_put_contents("$dir/fpm.conf", "[global]\npid = $dir/fpm.pid\nerror_log = $dir/fpm.log\ndaemonize = no\n"
        . "[status]\nlisten = $dir/fpm.sock\npm = static\npm.max_children = 1\nclear_env = yes\n"
        . "env[SAFESHM_STATUS_PASSWORD_FILE] = $dir/status.hash\n"
        . "php_value[display_errors] = 1\n");
    $args = array_slice(php_cmd(), 1);
    $cmd = array_merge([$fpm, '-y', "$dir/fpm.conf", '-F'], $args, posix_geteuid() === 0 ? ['-R'] : []);
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/out.log", 'w'], 2 => ['file', "$dir/out.log", 'a']], $pipes);
    if (getenv('SAFESHM_TOOLING_RUN')) {
        file_put_contents(getenv('SAFESHM_TOOLING_RUN') . '/server-fpm-' . getmypid() . '.pid', proc_get_status($p)['pid']);
    }
    try {
        for ($i = 0; $i < 100 && !file_exists("$dir/fpm.sock"); $i++) {
            usleep(100_000);
        }
        check(file_exists("$dir/fpm.sock"), 'php-fpm started: ' . @file_get_contents("$dir/out.log") . @file_get_contents("$dir/fpm.log"));
        $key = store_key($s);
        [$code, , $page] = fcgi("$dir/fpm.sock", 'GET', "store=$key");
        same(200, $code, 'GET');
        check(str_contains($page, h_t($name)) && str_contains($page, '&lt;script&gt;alert(1)&lt;/script&gt;')
            && str_ends_with(rtrim($page), '</html>'), 'the store and its keys, escaped: ' . substr($page, -300));
        check(str_contains($page, 'name="password"'), 'a login form: the password hash came from the file env[] names');
        $del = http_build_query(['action' => 'delete', 'store' => $key, 'key' => 'k']);
        [$code] = fcgi("$dir/fpm.sock", 'POST', '', $del);
        same(403, $code, 'delete without login');
        [$code, $head] = fcgi("$dir/fpm.sock", 'POST', '', http_build_query(['action' => 'login', 'password' => PASSWORD]));
        same(303, $code, 'login');
        check((bool) preg_match('~^Set-Cookie: (safeshm_status=[^;]+)~mi', $head, $m), 'cookie');
        [$code] = fcgi("$dir/fpm.sock", 'POST', '', $del, $m[1]);
        same(403, $code, 'delete without the token');
        [, , $page] = fcgi("$dir/fpm.sock", 'GET', "store=$key", '', $m[1]);
        check((bool) preg_match('~name="token" value="([0-9a-f]{64})"~', $page, $t), 'token in the page');
        [$code] = fcgi("$dir/fpm.sock", 'POST', '', $del . '&token=' . $t[1], $m[1]);
        same(303, $code, 'delete with the token');
        same(null, $s->get('k'));
    } finally {
        proc_terminate($p);
        proc_close($p);
        exec('rm -rf ' . escapeshellarg($dir));
    }
});

test('screenshot of the page', ['locks', 'meta'], function () use ($ro) {
    check(Env::$chromium !== '', 'needs chromium');
    [, $s] = new_store('screenshot');
    $s->put('config:app', ['debug' => false, 'workers' => 8]);
    $s->put('<script>alert(1)</script>', 'hostile');
    $dir = getenv('SAFESHM_ARTIFACT_DIR') ?: sys_get_temp_dir();
    @mkdir($dir, 0777, true);
    $file = "$dir/safeshm-status-test.png";
    [, , $body] = curl("$ro?store=" . store_key($s));
    check(str_contains($body, '<table id="keys">') && str_ends_with(rtrim($body), '</html>'), 'the whole page: ' . substr($body, -300));
    @unlink($file);
    [$rc, , $err] = run(array_merge(['timeout', '90'], chromium_args(),
        ["--screenshot=$file", "$ro?store=" . store_key($s)]));
    same(0, $rc, 'chromium --screenshot: ' . substr($err, -300));
    check(is_file($file) && filesize($file) > 10000, 'a screenshot was written');
    same("\x89PNG", substr((string) file_get_contents($file), 0, 4), 'a PNG');
    echo "screenshot: $file\n";
});

$rc = run_tests('status');
stop_servers();
exit($rc);
