<?php
/*
 * Issue 4, section 5: full segments.
 *
 * Fills a 64 KiB segment to the brim with values of mixed sizes and types,
 * deletes half of the keys at random, refills with new keys and replacements,
 * and fills to the brim again; several rounds with a fixed mt_srand seed.
 * Before every put the test predicts from info() whether it fits, using the
 * README's arithmetic:
 *   record = 40 bytes of header + value + key, rounded up to 8
 *   (value bytes: a string's length, 8 for int/float, 0 for bool/null,
 *   the serialize() length for arrays)
 *   a new key fits when entries < max_entries and record <= free;
 *   a replacement fits when record <= arena_size - used (the new record is
 *   written beside the old one, then the old one is retired).
 * SafeShmFullException must come exactly when the prediction says it does
 * not fit; after it the old value (or absence) must be intact, and used /
 * entries unchanged. used must move by exactly the record sizes.
 *
 * Usage: php -d extension=modules/safeshm.so tests/fault/fill_refill.php [seed]
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

const SEGMENT_SIZE = 65536;
const HEADER = 40;
$seed = (int) ($argv[1] ?? 20261124);

T::start("fill_refill: fill a " . SEGMENT_SIZE . "-byte segment to the brim, delete half, refill (seed $seed)", 60);
mt_srand($seed);

function value_len(mixed $v): int
{
    return match (true) {
        is_string($v) => strlen($v),
        is_int($v), is_float($v) => 8,
        is_bool($v), $v === null => 0,
        default => strlen(serialize($v)),
    };
}

function record_size(int|string $key, mixed $v): int
{
    return (HEADER + value_len($v) + strlen((string) $key) + 7) & ~7;
}

function random_value(string $profile): mixed
{
    $r = mt_rand(1, 100);
    $len = match ($profile) {
        'small' => mt_rand(0, 24),
        'large' => mt_rand(1500, 9000),
        default => mt_rand(1, 100) <= 70 ? mt_rand(0, 400) : mt_rand(400, 4000),
    };
    $bytes = substr(str_repeat(md5((string) mt_rand(), true), intdiv($len, 16) + 1), 0, $len);
    if ($profile === 'small') {
        return match (true) { $r <= 40 => mt_rand(), $r <= 50 => $r / 7, $r <= 55 => true, $r <= 60 => null, default => $bytes };
    }
    return match (true) {
        $r <= 10 => mt_rand(),
        $r <= 13 => mt_rand() / 3,
        $r <= 15 => false,
        $r <= 30 => ['n' => $len, 'data' => bin2hex(substr($bytes, 0, intdiv($len, 2))), 'list' => range(1, mt_rand(0, 5))],
        default => $bytes,
    };
}

final class Round
{
    /** @var array<int|string, mixed> what the store must hold */
    public array $model = [];
    public int $puts = 0;
    public int $full = 0;
    public int $nextKey = 0;

    public function __construct(public SafeShm $s, public string $label)
    {
    }

    /** One put (or add) checked against the arithmetic; returns whether it was stored. */
    public function put(int|string $key, mixed $value, string $how = 'put'): bool
    {
        $i = $this->s->info();
        $exists = array_key_exists($key, $this->model);
        $rec = record_size($key, $value);
        $room = $i['arena_size'] - $i['used'];
        $fits = $exists ? $rec <= $room : ($i['entries'] < $i['max_entries'] && $rec <= $i['free']);
        $why = sprintf('%s %s of %d-byte record (%s key): entries %d/%d, used %d, free %d, room beside live data %d',
            $how, var_export($key, true), $rec, $exists ? 'existing' : 'new', $i['entries'], $i['max_entries'], $i['used'], $i['free'], $room);
        $this->puts++;
        try {
            if ($how === 'add') {
                $added = $this->s->add($key, $value);
                T::check($added === !$exists, "$this->label: add() returns whether the key was absent", $why, true);
                if (!$added) {
                    return false;
                }
            } else {
                $this->s->put($key, $value);
            }
            $stored = true;
        } catch (SafeShmFullException) {
            $stored = false;
            $this->full++;
        }
        if ($how === 'add' && $exists) {
            return false;
        }
        T::check($stored === $fits, "$this->label: " . ($fits ? 'stored when it fits' : 'SafeShmFullException when it cannot fit'),
            $why . ($stored ? ': stored' : ': SafeShmFullException'), true);
        $after = $this->s->info();
        if ($stored) {
            $oldRec = $exists ? record_size($key, $this->model[$key]) : 0;
            $this->model[$key] = $value;
            T::check($after['used'] === $i['used'] + $rec - $oldRec && $after['entries'] === $i['entries'] + ($exists ? 0 : 1),
                "$this->label: used and entries move by exactly the record", "$why: now used {$after['used']}, entries {$after['entries']}", true);
        } else {
            $now = $this->s->get($key, '(absent)');
            T::check($now === ($exists ? $this->model[$key] : '(absent)'),
                "$this->label: after SafeShmFullException the old value is kept", "$why: now " . substr(var_export($now, true), 0, 60), true);
            T::check($after['used'] === $i['used'] && $after['entries'] === $i['entries'],
                "$this->label: after SafeShmFullException used and entries are unchanged", "$why: now used {$after['used']}, entries {$after['entries']}", true);
        }
        return $stored;
    }

    public function newKey(): int|string
    {
        $n = $this->nextKey++;
        return $n % 7 === 3 ? 100000 + $n : "$this->label/$n"; // some int keys
    }

    /** Puts new keys until $misses in a row do not fit. */
    public function fill(string $profile, int $misses): void
    {
        for ($miss = 0; $miss < $misses;) {
            $miss = $this->put($this->newKey(), random_value($profile)) ? 0 : $miss + 1;
        }
    }

    /** Fills what is left exactly: free becomes 0 (or the index is full), then a smallest record fails. */
    public function brim(): void
    {
        $i = $this->s->info();
        if ($i['entries'] < $i['max_entries'] && $i['free'] >= 48) {
            $key = 900000 + $this->nextKey++; // 6 bytes of key: fits any free >= 48
            $len = $i['free'] - HEADER - strlen((string) $key);
            T::check($this->put($key, str_repeat('b', $len)), "$this->label: a value of exactly the free bytes is stored",
                "{$len}-byte value, free was {$i['free']}");
            $i = $this->s->info();
        }
        T::check($i['free'] < 48 || $i['entries'] >= $i['max_entries'], "$this->label: the segment is full to the brim",
            "free {$i['free']}, entries {$i['entries']}/{$i['max_entries']}");
        T::check(!$this->put(900000 + $this->nextKey++, ''), "$this->label: then even a new 48-byte record gets SafeShmFullException",
            "free {$i['free']}, entries {$i['entries']}/{$i['max_entries']}");
        // a replacement still fits when the new record fits beside the live data
        $keys = array_keys($this->model);
        if ($keys) {
            $k = $keys[mt_rand(0, count($keys) - 1)];
            $this->put($k, $this->model[$k] === 0 ? 1 : 0, 'put'); // an int: 8 bytes of value
        }
    }

    public function deleteHalf(): void
    {
        $keys = array_keys($this->model);
        shuffle($keys);
        $n = 0;
        foreach (array_slice($keys, 0, intdiv(count($keys), 2)) as $k) {
            $i = $this->s->info();
            $rec = record_size($k, $this->model[$k]);
            $ok = $this->s->delete($k);
            unset($this->model[$k]);
            $after = $this->s->info();
            T::check($ok && $after['used'] === $i['used'] - $rec && $after['entries'] === $i['entries'] - 1,
                "$this->label: delete() frees exactly the record", "used {$i['used']} -> {$after['used']}, record $rec", true);
            $n++;
        }
        T::note("$this->label: deleted $n keys at random");
    }

    /** New keys and replacements until $misses in a row do not fit. */
    public function refill(string $profile, int $misses): void
    {
        for ($miss = 0, $ops = 0; $miss < $misses && $ops < 3000; $ops++) {
            $r = mt_rand(1, 100);
            $keys = array_keys($this->model);
            if ($r <= 35 && $keys) {
                $ok = $this->put($keys[mt_rand(0, count($keys) - 1)], random_value($profile));
            } elseif ($r <= 40 && $keys) {
                $ok = $this->put($keys[mt_rand(0, count($keys) - 1)], random_value($profile), 'add');
                $ok = true; // add() on an existing key is no miss
            } elseif ($r <= 42) {
                $ok = $this->put($this->newKey(), str_repeat('L', SEGMENT_SIZE + 1)); // larger than the segment
            } elseif ($r <= 45 && $keys) {
                $k = $keys[mt_rand(0, count($keys) - 1)];
                $ok = $this->put($k, str_repeat('L', SEGMENT_SIZE + 1)); // replacing with it keeps the old value
            } else {
                $ok = $this->put($this->newKey(), random_value($profile), mt_rand(1, 4) === 1 ? 'add' : 'put');
            }
            $miss = $ok ? 0 : $miss + 1;
        }
    }

    /** The whole store against the model. */
    public function compare(string $when): void
    {
        $bad = [];
        foreach ($this->model as $k => $v) {
            $got = $this->s->get($k, '(absent)');
            if ($got !== $v) {
                $bad[] = var_export($k, true) . ': ' . substr(var_export($got, true), 0, 40);
            }
        }
        $keys = $this->s->keys();
        $want = array_keys($this->model);
        sort($keys);
        sort($want);
        T::check(!$bad && $keys === $want && count($this->s) === count($want), "$this->label: $when, every key holds its value, keys() and count() match",
            implode('; ', array_slice($bad, 0, 5)) . ($keys !== $want ? ' keys() differs' : ''));
        try {
            $why = $this->s->verify() === true ? '' : 'returned false';
        } catch (Throwable $e) {
            $why = get_class($e) . ': ' . $e->getMessage();
        }
        T::check($why === '', "$this->label: $when, verify()", $why);
    }
}

$name = T::storeName('fill');
$s = T::create($name, SEGMENT_SIZE);
$i0 = $s->info();
echo "segment: size {$i0['size']}, arena {$i0['arena_size']}, max_entries {$i0['max_entries']}\n";

foreach (['mixed', 'small', 'large', 'mixed', 'small', 'mixed'] as $n => $profile) {
    $label = 'round ' . ($n + 1) . " ($profile)";
    echo "-- $label\n";
    $s->clear();
    $r = new Round($s, $label);
    $r->fill($profile, 25);
    $r->brim();
    $i = $s->info();
    T::note(sprintf('filled: %d entries, used %d of %d, free %d, %d puts so far, %d SafeShmFullException', $i['entries'], $i['used'], $i['arena_size'], $i['free'], $r->puts, $r->full));
    $r->compare('after the fill');
    $r->deleteHalf();
    $r->compare('after deleting half');
    $r->refill($profile === 'small' ? 'mixed' : $profile, 40);
    $r->brim();
    $i = $s->info();
    T::note(sprintf('refilled: %d entries, used %d, free %d, dead %d, compactions %d; %d puts, %d SafeShmFullException in this round',
        $i['entries'], $i['used'], $i['free'], $i['dead'], $i['compactions'], $r->puts, $r->full));
    $r->compare('after the refill');
}
T::finish();
