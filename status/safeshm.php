<?php
/*
 * SafeShm status page: every SafeShm store of this host that the web server's user can read, with its
 * sizes, counters and held locks, and a key browser. One file, no assets, no JavaScript; works under
 * `php -S` and php-fpm.
 *
 * Read-only by default. Deleting a key, a prefix or clearing a store needs a password: put a
 * password_hash() of it (php -r 'echo password_hash("secret", PASSWORD_DEFAULT), "\n";') into
 * STATUS_PASSWORD_HASH below, into the environment variable SAFESHM_STATUS_PASSWORD, or into a file whose
 * path is in SAFESHM_STATUS_PASSWORD_FILE. Under php-fpm use the file (`env[SAFESHM_STATUS_PASSWORD_FILE] =
 * /etc/safeshm/status.hash` in the pool) or the constant: FPM reads an env[] value that starts with "$", as
 * every hash does, as the name of a variable of its own environment. Serve the page over HTTPS, and only
 * to operators.
 */
declare(strict_types=1);

const STATUS_PASSWORD_HASH = '';
const PAGE_SIZE = 50;
const PREVIEW_CHARS = 160;
const DETAIL_CHARS = 20000;
const AUTH_COOKIE = 'safeshm_status';
const AUTH_SECONDS = 3600;

/* ---- finding stores (the same helpers as bin/safeshm) ---------------------------------------- */

/** Every SafeShm store this process can read (SafeShm::list(): /proc/sysvipc/shm and the segment magic). */
function safeshm_list(): array
{
    return SafeShm::list();
}

/** The existing store under $spec (int key or name), or null; never creates one. */
function safeshm_open(int|string $spec): ?SafeShm
{
    return SafeShm::open($spec);
}

/* ---- authentication: a signed cookie, and a CSRF token derived from it ------------------------ */

/** The configured password_hash(): the constant, else SAFESHM_STATUS_PASSWORD, else the file SAFESHM_STATUS_PASSWORD_FILE names. */
function password_hash_configured(): ?string
{
    static $hash = false;
    if ($hash !== false) {
        return $hash;
    }
    $setting = static fn(string $name): string => (string) (getenv($name) ?: ($_SERVER[$name] ?? ''));
    $h = STATUS_PASSWORD_HASH !== '' ? STATUS_PASSWORD_HASH : $setting('SAFESHM_STATUS_PASSWORD');
    if ($h === '' && $setting('SAFESHM_STATUS_PASSWORD_FILE') !== '') {
        $h = trim((string) @file_get_contents($setting('SAFESHM_STATUS_PASSWORD_FILE')));
    }
    return $hash = ($h !== '' && password_get_info($h)['algo'] !== null ? $h : null);
}

/** The signing key: derived from the configured hash, so changing the password logs everybody out. */
function auth_key(): ?string
{
    $h = password_hash_configured();
    return $h === null ? null : hash_hmac('sha256', 'safeshm-status-page', $h, true);
}

function auth_cookie_value(int $expires): string
{
    return $expires . '.' . hash_hmac('sha256', "auth|$expires", auth_key());
}

function logged_in(): bool
{
    $c = $_COOKIE[AUTH_COOKIE] ?? '';
    if (auth_key() === null || !is_string($c) || !preg_match('/^([0-9]{1,12})\.[0-9a-f]{64}$/', $c, $m)) {
        return false;
    }
    return (int) $m[1] > time() && hash_equals(auth_cookie_value((int) $m[1]), $c);
}

function csrf_token(): string
{
    return hash_hmac('sha256', 'csrf|' . ($_COOKIE[AUTH_COOKIE] ?? ''), auth_key() ?? '');
}

function set_auth_cookie(string $value, int $expires): void
{
    setcookie(AUTH_COOKIE, $value, [
        'expires' => $expires, 'path' => strtok($_SERVER['REQUEST_URI'] ?? '/', '?') ?: '/',
        'secure' => ($_SERVER['HTTPS'] ?? '') !== '' && $_SERVER['HTTPS'] !== 'off',
        'httponly' => true, 'samesite' => 'Strict',
    ]);
}

/* ---- HTML helpers ----------------------------------------------------------------------------- */

function h(int|float|string|null $s): string
{
    return htmlspecialchars((string) $s, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
}

/** A link to this page with other parameters: a query-only reference keeps whatever path the page is served under. */
function url(array $params): string
{
    $params = array_filter($params, static fn($v) => $v !== null && $v !== '');
    return '?' . http_build_query($params, '', '&', PHP_QUERY_RFC3986);
}

/** The query of this request without the message of the last action: where a form comes back to. */
function here(): string
{
    parse_str($_SERVER['QUERY_STRING'] ?? '', $q);
    unset($q['done']);
    return url($q);
}

function bytes(int|float|null $n): string
{
    if ($n === null) {
        return '-';
    }
    foreach (['B', 'KiB', 'MiB', 'GiB'] as $i => $u) {
        if ($n < 1024 || $u === 'GiB') {
            return $i === 0 ? "$n B" : sprintf('%.1f %s', $n, $u);
        }
        $n /= 1024;
    }
    return '';
}

function seconds(?float $s): string
{
    if ($s === null) {
        return 'never';
    }
    return match (true) {
        $s < 60 => sprintf('%.1f s', $s),
        $s < 3600 => sprintf('%d min %d s', intdiv((int) $s, 60), (int) $s % 60),
        $s < 86400 => sprintf('%d h %d min', intdiv((int) $s, 3600), intdiv((int) $s % 3600, 60)),
        default => sprintf('%d d %d h', intdiv((int) $s, 86400), intdiv((int) $s % 86400, 3600)),
    };
}

function hexkey(int $key): string
{
    return sprintf('0x%08x', $key & 0xffffffff);
}

/** Text that is UTF-8 without control characters (newline and tab allowed) is shown as text, anything else as hex. */
function is_text(string $s): bool
{
    return preg_match('//u', $s) === 1 && !preg_match('/[\x00-\x08\x0b-\x1f\x7f]/', $s);
}

/** At most $n characters of a UTF-8 string. */
function cut(string $s, int $n): string
{
    if (strlen($s) <= $n) {
        return $s;
    }
    preg_match('/^.{0,' . $n . '}/us', $s, $m);
    return ($m[0] ?? substr($s, 0, $n)) . '…';
}

function show_key(int|string $k): string
{
    $k = (string) $k;
    return is_text($k) ? $k : 'hex:' . bin2hex($k);
}

/** A plain-text, bounded rendering of any value (the caller escapes it). */
function bounded(mixed $v, int $depth, int &$budget): string
{
    if ($budget <= 0) {
        return '…';
    }
    $out = match (true) {
        $v === null => 'null',
        is_bool($v) => $v ? 'true' : 'false',
        is_int($v), is_float($v) => var_export($v, true),
        is_string($v) => is_text($v) ? '"' . cut(addcslashes($v, "\n\t\"\\"), max(16, min($budget, 200))) . '"'
            : 'hex:' . bin2hex(substr($v, 0, 32)) . (strlen($v) > 32 ? '…' : ''),
        default => null,
    };
    if ($out !== null) {
        $budget -= strlen($out);
        return $out;
    }
    if (is_object($v)) {
        $props = (array) $v;
        $class = $v instanceof __PHP_Incomplete_Class ? ($props['__PHP_Incomplete_Class_Name'] ?? 'object') : get_class($v);
        unset($props['__PHP_Incomplete_Class_Name']);
        $open = $class . ' {';
        $close = '}';
        $items = [];
        foreach ($props as $k => $p) {
            $items[preg_replace('/^\0[^\0]*\0/', '', (string) $k)] = $p; /* private and protected names */
        }
    } else {
        $open = 'array(' . count($v) . ') [';
        $close = ']';
        $items = $v;
    }
    $budget -= strlen($open) + 1;
    if ($depth >= 3) {
        return $open . ($items ? '…' : '') . $close;
    }
    $parts = [];
    $i = 0;
    foreach ($items as $k => $item) {
        if ($i++ >= 20 || $budget <= 0) {
            $parts[] = '… ' . (count($items) - $i + 1) . ' more';
            break;
        }
        $label = is_int($k) ? (string) $k : show_key($k);
        $budget -= strlen($label) + 4;
        $parts[] = $label . ' => ' . bounded($item, $depth + 1, $budget);
    }
    return $open . implode(', ', $parts) . $close;
}

function type_of(mixed $v): string
{
    if ($v instanceof __PHP_Incomplete_Class) {
        return ((array) $v)['__PHP_Incomplete_Class_Name'] ?? 'object';
    }
    return match (true) {
        is_string($v) => is_text($v) ? 'string' : 'binary',
        is_array($v) => 'array(' . count($v) . ')',
        default => get_debug_type($v),
    };
}

function preview(mixed $v, int $chars): string
{
    if (is_string($v) && !is_text($v)) {
        $hex = trim(chunk_split(bin2hex(substr($v, 0, intdiv($chars, 3))), 2, ' '));
        return $hex . (strlen($v) > intdiv($chars, 3) ? ' …' : '');
    }
    if (is_string($v)) {
        return cut($v, $chars);
    }
    $budget = $chars;
    return bounded($v, 0, $budget);
}

/* ---- requests --------------------------------------------------------------------------------- */

/** A request parameter that is a string (never an array), or null. */
function param(array $from, string $name): ?string
{
    return isset($from[$name]) && is_string($from[$name]) ? $from[$name] : null;
}

function refuse(int $code, string $message): never
{
    http_response_code($code);
    header('Content-Type: text/plain; charset=UTF-8');
    echo $message, "\n";
    exit;
}

/** The store of a request: its decimal key, looked up in the listing (a named store is opened by name). */
function request_store(string $param): array
{
    if (!preg_match('/^-?[0-9]{1,10}$/', $param)) {
        refuse(400, 'bad store');
    }
    foreach (safeshm_list() as $s) {
        if ($s['key'] === (int) $param) {
            $store = safeshm_open($s['name'] ?? $s['key']);
            if ($store !== null) {
                return [$s, $store];
            }
        }
    }
    refuse(404, 'no such store');
}

function handle_post(): never
{
    $action = param($_POST, 'action') ?? '';
    $back = param($_POST, 'back') ?? '';
    $back = preg_match('/^\?[A-Za-z0-9_=&%.~+-]*$/', $back) ? $back : '?';
    if (auth_key() === null) {
        refuse(403, 'read-only: no password is configured (SAFESHM_STATUS_PASSWORD)');
    }
    if ($action === 'login') {
        if (!password_verify(param($_POST, 'password') ?? '', password_hash_configured())) {
            refuse(403, 'wrong password');
        }
        $expires = time() + AUTH_SECONDS;
        set_auth_cookie(auth_cookie_value($expires), $expires);
        header('Location: ' . $back, true, 303);
        exit;
    }
    if (!logged_in()) {
        refuse(403, 'refused: log in first');
    }
    if (!hash_equals(csrf_token(), param($_POST, 'token') ?? '')) {
        refuse(403, 'refused: missing or invalid CSRF token');
    }
    if ($action === 'logout') {
        set_auth_cookie('', 1);
        header('Location: ' . $back, true, 303);
        exit;
    }
    [, $store] = request_store(param($_POST, 'store') ?? '');
    $done = match ($action) {
        'delete' => $store->delete(param($_POST, 'key') ?? '') ? 'deleted 1 key' : 'the key was already gone',
        'delete_prefix' => (param($_POST, 'prefix') ?? '') === '' ? refuse(400, 'empty prefix: use clear')
            : 'deleted ' . $store->deletePrefix(param($_POST, 'prefix')) . ' keys',
        'clear' => (static function () use ($store): string {
            $n = count($store);
            $store->clear();
            return "cleared the store ($n keys)";
        })(),
        default => refuse(400, 'unknown action'),
    };
    header('Location: ' . $back . ($back === '?' ? '' : '&') . 'done=' . rawurlencode($done), true, 303);
    exit;
}

/** A POST form with one button (and the CSRF token): the only way anything is changed. */
function action_form(string $action, string $label, array $fields, string $confirmText = ''): string
{
    $html = '<form method="post" class="inline"><input type="hidden" name="action" value="' . h($action) . '">'
        . '<input type="hidden" name="token" value="' . h(csrf_token()) . '">'
        . '<input type="hidden" name="back" value="' . h(here()) . '">';
    foreach ($fields as $k => $v) {
        $html .= '<input type="hidden" name="' . h($k) . '" value="' . h($v) . '">';
    }
    return $html . '<button type="submit" class="danger" title="' . h($confirmText) . '">' . h($label) . '</button></form>';
}

/* ---- the page --------------------------------------------------------------------------------- */

header('Content-Security-Policy: default-src \'none\'; style-src \'unsafe-inline\'; img-src data:; form-action \'self\'; frame-ancestors \'none\'; base-uri \'none\'');
header('X-Content-Type-Options: nosniff');
header('Referrer-Policy: no-referrer');
header('Cache-Control: no-store');

set_exception_handler(static function (Throwable $e): void {
    if (!headers_sent()) {
        http_response_code($e instanceof ValueError ? 400 : 500);
        header('Content-Type: text/plain; charset=UTF-8');
    }
    echo "\n", h(get_class($e) . ': ' . $e->getMessage()), "\n";
});

if (!extension_loaded('safeshm')) {
    refuse(500, 'the safeshm extension is not loaded');
}
if (($_SERVER['REQUEST_METHOD'] ?? 'GET') === 'POST') {
    handle_post();
}

$canWrite = auth_key() !== null;
$authed = $canWrite && logged_in();
$selected = param($_GET, 'store');
$prefix = param($_GET, 'prefix') ?? '';
$pageNo = max(1, (int) param($_GET, 'page'));
$keyParam = param($_GET, 'key');
$sel = $selected === null ? null : request_store($selected);

$rows = [];
$lockRows = [];
$lockErrors = [];
$listError = null;
try {
    $listed = safeshm_list();
} catch (Throwable $e) {
    $listed = [];
    $listError = $e->getMessage();
}
usort($listed, static fn($a, $b) => $a['key'] <=> $b['key']);
foreach ($listed as $s) {
    $row = ['s' => $s, 'info' => null, 'error' => null];
    if ($s['layout_version'] !== 3) {
        /* opening it would migrate it to layout 3 under the processes of its older release */
        $row['error'] = 'layout ' . $s['layout_version'] . ': not opened here (it migrates at its first attach by this release)';
        $rows[] = $row;
        continue;
    }
    try {
        $store = safeshm_open($s['name'] ?? $s['key']);
        if ($store === null) {
            continue; /* removed since the listing */
        }
        $row['info'] = $store->info();
    } catch (Throwable $e) {
        $row['error'] = get_class($e) . ': ' . $e->getMessage();
    }
    $rows[] = $row;
    if (isset($store) && $row['error'] === null) {
        try {
            foreach ($store->locks() as $l) {
                $lockRows[] = ['store' => $s] + $l;
            }
        } catch (Throwable $e) {
            $lockErrors[] = ($s['name'] === null ? hexkey($s['key']) : show_key($s['name'])) . ': ' . $e->getMessage();
        }
    }
    unset($store);
}

?><!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>SafeShm status</title>
<style>
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2330; background: #f4f6f9; }
header { background: #1d2a44; color: #fff; padding: 10px 20px; display: flex; align-items: baseline; gap: 18px; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
header .meta { color: #b8c4dc; font-size: 12px; }
header form { margin-left: auto; }
main { padding: 16px 20px; }
section { background: #fff; border: 1px solid #d9dee7; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
h2 { font-size: 15px; margin: 0 0 10px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #edf0f4; vertical-align: top; }
th { font-size: 12px; color: #5a6478; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.sel td { background: #eef4ff; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.key { word-break: break-all; }
.preview { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; color: #38415a; word-break: break-all; white-space: pre-wrap; }
.bar { display: flex; width: 180px; height: 12px; border-radius: 3px; overflow: hidden; background: #e3e7ee; }
.bar span { display: block; height: 100%; }
.used { background: #3b7ddd; } .index { background: #8e6bd1; } .free { background: #cfd8e6; }
.legend i { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin: 0 3px 0 10px; }
.small { font-size: 12px; color: #5a6478; }
.err { color: #b3261e; }
.ok { color: #1e7b34; background: #e8f5ec; border: 1px solid #bfe3c9; padding: 6px 10px; border-radius: 4px; margin-bottom: 12px; }
.pill { display: inline-block; padding: 0 6px; border-radius: 8px; background: #e8ecf3; font-size: 12px; }
form.inline { display: inline; margin: 0; }
button, input[type=submit] { font: inherit; font-size: 12px; padding: 2px 9px; border-radius: 4px; border: 1px solid #aab4c5; background: #fff; cursor: pointer; }
button.danger { border-color: #d39b96; color: #9b1c14; }
input[type=text], input[type=password] { font: inherit; font-size: 13px; padding: 2px 6px; border: 1px solid #aab4c5; border-radius: 4px; }
.pager { margin-top: 8px; display: flex; gap: 12px; align-items: center; }
a { color: #1f57b5; text-decoration: none; } a:hover { text-decoration: underline; }
</style>
</head>
<body>
<header>
  <h1>SafeShm status</h1>
  <span class="meta"><?= h(php_uname('n')) ?> · PHP <?= h(PHP_VERSION) ?> · safeshm <?= h(phpversion('safeshm') ?: '?') ?> · <?= h(date('Y-m-d H:i:s T')) ?></span>
  <?php if (!$canWrite): ?>
    <span class="meta">read-only (set SAFESHM_STATUS_PASSWORD to allow deleting)</span>
  <?php elseif ($authed): ?>
    <?= action_form('logout', 'log out', []) ?>
  <?php else: ?>
    <form method="post"><input type="hidden" name="action" value="login"><input type="hidden" name="back" value="<?= h(here()) ?>">
      <input type="password" name="password" placeholder="password" autocomplete="current-password"> <input type="submit" value="log in"></form>
  <?php endif ?>
</header>
<main>
<?php if (param($_GET, 'done') !== null): ?>
  <div class="ok"><?= h(cut(param($_GET, 'done'), 200)) ?></div>
<?php endif ?>

<section id="stores">
  <h2>Stores <span class="pill"><?= count($rows) ?></span></h2>
  <?php if ($listError !== null): ?><p class="err"><?= h($listError) ?></p><?php endif ?>
  <?php if (!$rows && $listError === null): ?><p class="small">No SafeShm store on this host is readable by this user.</p><?php endif ?>
  <?php if ($rows): ?>
  <table>
    <tr><th>key</th><th>name</th><th class="num">size</th><th>records / index / free</th><th class="num">entries</th>
      <th class="num">compactions</th><th class="num">lock waits</th><th class="num">timeouts</th><th class="num">recoveries</th>
      <th class="num">hits / misses</th><th>lock</th><th class="num">layout</th><th class="num">attached</th><th>owner</th></tr>
    <?php foreach ($rows as $r): $s = $r['s']; $i = $r['info']; ?>
    <tr class="<?= $selected === (string) $s['key'] ? 'sel' : '' ?>">
      <td class="mono"><a href="<?= h(url(['store' => $s['key']])) ?>"><?= h(hexkey($s['key'])) ?></a></td>
      <td class="key"><?= $s['name'] === null ? '<span class="small">-</span>' : h(show_key($s['name'])) ?></td>
      <td class="num"><?= h(bytes($s['size'])) ?></td>
      <?php if ($i === null): ?>
        <td colspan="11" class="err"><?= h($r['error']) ?></td>
      <?php else:
        $index = $i['index_bytes'] ?? 0;
        $total = max(1, $i['used'] + $index + $i['free']);
        $pct = static fn($n) => round(100 * $n / $total, 1); ?>
      <td><div class="bar" title="<?= h(sprintf('records %s (%.1f%%), index %s (%.1f%%), free %s (%.1f%%)', bytes($i['used']), $pct($i['used']), bytes($index), $pct($index), bytes($i['free']), $pct($i['free']))) ?>">
          <span class="used" style="width:<?= $pct($i['used']) ?>%"></span><span class="index" style="width:<?= $pct($index) ?>%"></span><span class="free" style="width:<?= $pct($i['free']) ?>%"></span></div>
        <span class="small"><?= h(bytes($i['used'])) ?> / <?= h(bytes($index)) ?> / <?= h(bytes($i['free'])) ?></span></td>
      <td class="num"><?= h($i['entries']) ?><?= !empty($i['ttl_entries']) ? '<span class="small"> (' . h($i['ttl_entries']) . ' with a TTL)</span>' : '' ?></td>
      <td class="num"><?= h($i['compactions']) ?></td>
      <td class="num"><?= h($i['lock_waits']) ?></td>
      <td class="num"><?= h($i['lock_timeouts']) ?></td>
      <td class="num"><?= h($i['recoveries']) ?></td>
      <td class="num"><?= isset($i['hits']) ? h($i['hits']) . ' / ' . h($i['misses'] ?? 0) : '-' ?></td>
      <td><?= h($i['lock'] ?? '-') ?></td>
      <td class="num"><?= h($i['layout_version'] ?? $s['layout_version']) ?></td>
      <td class="num"><?= h($s['attached']) ?></td>
      <td class="small"><?= h(sprintf('uid %d, %04o', $s['uid'], $s['mode'])) ?></td>
      <?php endif ?>
    </tr>
    <?php endforeach ?>
  </table>
  <p class="small legend"><i class="used"></i>records <i class="index"></i>index (grows with the entries, inside the segment) <i class="free"></i>free</p>
  <?php endif ?>
</section>

<section id="locks">
  <h2>Named locks <span class="pill"><?= count($lockRows) ?></span></h2>
  <?php foreach ($lockErrors as $err): ?><p class="err"><?= h($err) ?></p><?php endforeach ?>
  <?php if (!$lockRows): ?><p class="small">No named lock is held.</p><?php else: ?>
  <table>
    <tr><th>store</th><th>lock</th><th>mode</th><th>pids</th><th class="num">held for</th><th class="num">ttl left</th><th class="num">waiters</th></tr>
    <?php foreach ($lockRows as $l): ?>
    <tr><td class="key"><?= h($l['store']['name'] === null ? hexkey($l['store']['key']) : show_key($l['store']['name'])) ?></td>
      <td class="key"><?= h(show_key($l['name'])) ?></td><td><?= $l['shared'] ? 'shared' : 'exclusive' ?></td>
      <td class="mono"><?= h(implode(', ', $l['pids'])) ?></td><td class="num"><?= h(seconds($l['held_for'])) ?></td>
      <td class="num"><?= h(seconds($l['ttl'])) ?></td><td class="num"><?= h($l['waiters']) ?></td></tr>
    <?php endforeach ?>
  </table>
  <?php endif ?>
</section>

<?php
if ($sel !== null):
    [$s, $store] = $sel;
    $label = $s['name'] === null ? hexkey($s['key']) : show_key($s['name']);
?>
<section id="browser">
  <h2>Keys of <span class="key"><?= h($label) ?></span></h2>
  <?php if ($keyParam !== null):
      $miss = new stdClass();
      $value = $store->get($keyParam, $miss);
      $meta = $value === $miss ? null : $store->meta($keyParam); ?>
    <div id="value">
    <p><a href="<?= h(url(['store' => $s['key'], 'prefix' => $prefix, 'page' => $pageNo > 1 ? $pageNo : null])) ?>">← all keys</a></p>
    <?php if ($value === $miss): ?>
      <p class="err">The key <code class="key"><?= h(show_key($keyParam)) ?></code> is not in the store.</p>
    <?php else: ?>
      <table>
        <tr><th>key</th><td class="key mono"><?= h(show_key($keyParam)) ?></td></tr>
        <tr><th>type</th><td><?= h(type_of($value)) ?></td></tr>
        <tr><th>size</th><td><?= h(bytes($meta['size'] ?? null)) ?></td></tr>
        <tr><th>ttl left</th><td><?= h(seconds($meta['ttl'] ?? null)) ?></td></tr>
        <tr><th>version</th><td><?= h($meta['version'] ?? '-') ?></td></tr>
        <tr><th>created / updated</th><td><?= isset($meta['created']) ? h(date('Y-m-d H:i:s', (int) $meta['created'])) . ' / ' . h(date('Y-m-d H:i:s', (int) $meta['updated'])) : '-' ?></td></tr>
        <tr><th>value</th><td class="preview"><?= h(preview($value, DETAIL_CHARS)) ?></td></tr>
      </table>
      <?php if ($authed): ?><p><?= action_form('delete', 'delete this key', ['store' => $s['key'], 'key' => $keyParam]) ?></p><?php endif ?>
    <?php endif ?>
    </div>
  <?php else:
      $keys = $prefix === '' ? $store->keys() : $store->keys($prefix);
      usort($keys, static fn($a, $b) => strcmp((string) $a, (string) $b));
      $total = count($keys);
      $pages = max(1, (int) ceil($total / PAGE_SIZE));
      $pageNo = min($pageNo, $pages);
      $slice = array_slice($keys, ($pageNo - 1) * PAGE_SIZE, PAGE_SIZE);
      $miss = new stdClass(); ?>
    <form method="get" class="small">
      <input type="hidden" name="store" value="<?= h($s['key']) ?>">
      prefix <input type="text" name="prefix" value="<?= h($prefix) ?>" size="30"> <input type="submit" value="filter">
      <?php if ($prefix !== ''): ?> <a href="<?= h(url(['store' => $s['key']])) ?>">all keys</a><?php endif ?>
    </form>
    <?php if ($authed): ?>
      <p class="small">
        <?php if ($prefix !== ''): ?><?= action_form('delete_prefix', 'delete every key starting with "' . cut($prefix, 40) . '"', ['store' => $s['key'], 'prefix' => $prefix]) ?><?php endif ?>
        <?= action_form('clear', 'clear the whole store', ['store' => $s['key']]) ?>
      </p>
    <?php endif ?>
    <table id="keys">
      <tr><th>key</th><th>type</th><th class="num">size</th><th class="num">ttl left</th><th>value</th><?= $authed ? '<th></th>' : '' ?></tr>
      <?php foreach ($slice as $k):
          $v = $store->get($k, $miss);
          if ($v === $miss) {
              continue; /* deleted since keys() */
          }
          $m = $store->meta($k); ?>
      <tr><td class="key mono"><a href="<?= h(url(['store' => $s['key'], 'prefix' => $prefix, 'page' => $pageNo > 1 ? $pageNo : null, 'key' => (string) $k])) ?>"><?= h(show_key($k)) ?></a></td>
        <td><?= h(type_of($v)) ?></td><td class="num"><?= h(bytes($m['size'] ?? null)) ?></td>
        <td class="num"><?= h(seconds($m['ttl'] ?? null)) ?></td>
        <td class="preview"><?= h(preview($v, PREVIEW_CHARS)) ?></td>
        <?php if ($authed): ?><td><?= action_form('delete', 'delete', ['store' => $s['key'], 'key' => (string) $k]) ?></td><?php endif ?>
      </tr>
      <?php endforeach ?>
    </table>
    <div class="pager small">
      <span><?= $total === 0 ? 'no keys' : h(sprintf('keys %d–%d of %d', ($pageNo - 1) * PAGE_SIZE + 1, min($total, $pageNo * PAGE_SIZE), $total)) ?></span>
      <?php if ($pageNo > 1): ?><a href="<?= h(url(['store' => $s['key'], 'prefix' => $prefix, 'page' => $pageNo - 1 > 1 ? $pageNo - 1 : null])) ?>">← previous</a><?php endif ?>
      <?php if ($pageNo < $pages): ?><a href="<?= h(url(['store' => $s['key'], 'prefix' => $prefix, 'page' => $pageNo + 1])) ?>">next →</a><?php endif ?>
    </div>
  <?php endif ?>
</section>
<?php endif ?>
</main>
</body>
</html>
