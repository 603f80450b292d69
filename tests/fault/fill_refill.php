<?php
/*
 * Issue 4, section 5: full segments, on layout 3.
 *
 * Fills a 64 KiB segment to the brim with values of mixed sizes and types,
 * deletes half of the keys at random, refills with new keys and replacements,
 * and fills to the brim again; several rounds with a fixed mt_srand seed.
 * Before every put the test walks the arena (the blocks, end to end, through
 * shmop) and predicts from layout 3's arithmetic whether it fits:
 *   record = 48 bytes of header + value + key, rounded up to 8, at least 32,
 *   and from 256 bytes up to a step of its size class (_ipc.inc);
 *   (value bytes: a string's length, 8 for int/float, 0 for bool/null, the
 *   native encoding's length for arrays, measured in a scratch store);
 *   the index is a block of the arena (16 + 4 * slots bytes) that grows when
 *   a new key would take it past 13/16 of its slots;
 *   a put is written into a free block beside the live data and published,
 *   then the block it replaces is freed.
 * So: a free block that holds the record (and no index growth needed) means
 * it is stored; a record larger than all the free bytes means
 * SafeShmFullException; in between, it is stored when a relocation pass can
 * move records out of a window of the arena and join it into one free block
 * that holds it. "Full" is: no free block holds the record even after
 * relocation. After every SafeShmFullException the old value (or absence) is
 * intact, entries unchanged, and no free block holds the record (unless the
 * index could not grow). After every put and delete, info() agrees with the
 * walk: used is the sum of the record blocks, free the sum of the free ones,
 * used + free the capacity; a stored record's block is its size (up to 24
 * bytes more when the rest of the free block it took was too small to stay
 * one), and a delete frees exactly its block.
 *
 * Usage: php -d extension=modules/safeshm.so tests/fault/fill_refill.php [seed]
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

const SEGMENT_SIZE = 65536;
$seed = (int) ($argv[1] ?? 20261124);

T::start("fill_refill: fill a " . SEGMENT_SIZE . "-byte segment to the brim, delete half, refill (seed $seed)", 90);
mt_srand($seed);

/** The bytes of the arena as blocks: records by key, the free blocks' sizes, the index block's size. */
final class Arena
{
    /** @var array<string, int> key (as stored: an int key as its digits) => block size */
    public array $records = [];
    /** @var list<int> sizes of the free blocks ('F', and the spare 'S' a replace kept aside) */
    public array $free = [];
    public int $index = 0;

    public static function of(Shmop $raw): self
    {
        $seg = shmop_read($raw, 0, 0);
        $a = new self();
        foreach (test_blocks($seg) as [$off, $size, $magic]) {
            if ($magic === 'R') {
                $vl = test_rec_get($seg, $off, 'val_len');
                $a->records[substr($seg, $off + TEST_RECORD_HEADER + $vl, test_rec_get($seg, $off, 'key_len'))] = $size;
            } elseif ($magic === 'F' || $magic === 'S') {
                $a->free[] = $size;
            } elseif ($magic === 'I') {
                $a->index = $size;
            }
        }
        return $a;
    }

    public function largestFree(): int
    {
        return max($this->free ?: [0]);
    }

    /** What info() must say of this arena. */
    public function agrees(array $info): string
    {
        $used = array_sum($this->records);
        $free = array_sum($this->free);
        $bad = [];
        if ($info['used'] !== $used) {
            $bad[] = "used {$info['used']}, record blocks $used";
        }
        if ($info['free'] !== $free) {
            $bad[] = "free {$info['free']}, free blocks $free";
        }
        if ($info['capacity'] !== $info['arena_size'] - $this->index || $info['used'] + $info['free'] !== $info['capacity']) {
            $bad[] = "capacity {$info['capacity']}, arena {$info['arena_size']} - index block {$this->index}, used + free " . ($info['used'] + $info['free']);
        }
        if ($info['entries'] !== count($this->records)) {
            $bad[] = "entries {$info['entries']}, record blocks " . count($this->records);
        }
        return implode('; ', $bad);
    }
}

final class Scratch
{
    public static ?SafeShm $s = null;
    public static int $key = 0;
}

/** The bytes a value takes in a record: measured for arrays (the native encoding), as the README says otherwise. */
function value_len(mixed $v): int
{
    if (is_array($v)) {
        Scratch::$s->put('x', $v);
        $seg = shmop_read(shmop_open(Scratch::$key, 'a', 0, 0), 0, 0);
        foreach (test_blocks($seg) as [$off, , $magic]) {
            if ($magic === 'R') {
                return test_rec_get($seg, $off, 'val_len');
            }
        }
        throw new LogicException('the scratch store holds no record');
    }
    return match (true) {
        is_string($v) => strlen($v),
        is_int($v), is_float($v) => 8,
        is_bool($v), $v === null => 0,
        default => strlen(serialize($v)),
    };
}

function record_size(int|string $key, mixed $v): int
{
    return test_record_size(strlen((string) $key), value_len($v));
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
    /** @var array<string, int> puts by what the arithmetic said, and what happened */
    public static array $tally = ['a free block held it: stored' => 0, 'larger than the free bytes: refused' => 0,
        'only relocation could make room: stored' => 0, 'only relocation could make room: refused' => 0,
        'the index had to grow: stored' => 0, 'the index had to grow: refused' => 0];

    public function __construct(public SafeShm $s, public Shmop $raw, public string $label)
    {
    }

    /** One put (or add) checked against the arithmetic; returns whether it was stored. */
    public function put(int|string $key, mixed $value, string $how = 'put'): bool
    {
        $i = $this->s->info();
        $arena = Arena::of($this->raw);
        $exists = array_key_exists($key, $this->model);
        $rec = record_size($key, $value);
        $largest = $arena->largestFree();
        $growIndex = !$exists && $i['entries'] + $i['tombstones'] + 1 > intdiv($i['index_slots'] * 13, 16);
        $predict = $rec > $i['free'] ? 'refused' : ($growIndex ? 'either (index)' : ($rec <= $largest ? 'stored' : 'either'));
        $why = sprintf('%s %s of a %d-byte record (%s key): entries %d, index %d slots, used %d, free %d, largest free block %d',
            $how, var_export($key, true), $rec, $exists ? 'existing' : 'new', $i['entries'], $i['index_slots'], $i['used'], $i['free'], $largest);
        $this->puts++;
        try {
            if ($how === 'add') {
                $added = $this->s->add($key, $value);
                T::check($added === !$exists, "$this->label: add() returns whether the key was absent", $why, true);
                if ($exists) {
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
        $tally = match ($predict) {
            'stored' => 'a free block held it',
            'refused' => 'larger than the free bytes',
            'either' => 'only relocation could make room',
            'either (index)' => 'the index had to grow',
        } . ($stored ? ': stored' : ': refused');
        if (isset(self::$tally[$tally])) {
            self::$tally[$tally]++;
        }
        if ($predict === 'stored' || $predict === 'refused') {
            T::check($stored === ($predict === 'stored'), "$this->label: " . ($predict === 'stored'
                ? 'stored when a free block holds the record' : 'SafeShmFullException when the record is larger than all the free bytes'),
                $why . ($stored ? ': stored' : ': SafeShmFullException'), true);
        }
        $after = $this->s->info();
        $now = Arena::of($this->raw);
        $disagree = $now->agrees($after);
        T::check($disagree === '', "$this->label: info() agrees with the arena's blocks", "$why: $disagree", true);
        if ($stored) {
            $this->model[$key] = $value;
            $block = $now->records[(string) $key] ?? -1;
            T::check($block >= $rec && $block <= $rec + 24 && $after['entries'] === $i['entries'] + ($exists ? 0 : 1),
                "$this->label: the record takes its size (at most 24 bytes more) and entries move by the new keys",
                "$why: block $block, entries {$after['entries']}", true);
        } else {
            $now_ = $this->s->get($key, '(absent)');
            T::check($now_ === ($exists ? $this->model[$key] : '(absent)'),
                "$this->label: after SafeShmFullException the old value is kept", "$why: now " . substr(var_export($now_, true), 0, 60), true);
            T::check($after['entries'] === $i['entries'] && $after['used'] + $after['free'] === $i['used'] + $i['free'],
                "$this->label: after SafeShmFullException entries and capacity are unchanged", "$why: now used {$after['used']}, free {$after['free']}, entries {$after['entries']}", true);
            if (!$growIndex) {
                T::check($now->largestFree() < $rec, "$this->label: after SafeShmFullException no free block holds the record, even after relocation",
                    "$why: largest free block now {$now->largestFree()}", true);
            }
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

    /**
     * Fills what is left exactly: a new key whose record is the largest free block, until no free block holds even
     * the smallest record of a 6-byte key (56 bytes), or the index cannot grow; then such a record is refused.
     */
    public function brim(): void
    {
        $smallest = test_record_size(6, 0);
        for ($n = 0; $n < 500; $n++) {
            $largest = Arena::of($this->raw)->largestFree();
            if ($largest < $smallest) {
                break;
            }
            $key = 900000 + $this->nextKey++; // 6 bytes of key
            if (!$this->put($key, str_repeat('b', $largest - TEST_RECORD_HEADER - 6))) {
                break; // only when the index had to grow and could not: the put says which
            }
        }
        $i = $this->s->info();
        $arena = Arena::of($this->raw);
        $indexFull = $i['entries'] + $i['tombstones'] + 1 > intdiv($i['index_slots'] * 13, 16);
        T::check($arena->largestFree() < $smallest || $indexFull, "$this->label: the segment is full to the brim",
            "largest free block {$arena->largestFree()}, free {$i['free']}, entries {$i['entries']}, index {$i['index_slots']} slots");
        T::check(!$this->put(900000 + $this->nextKey++, ''), "$this->label: then even a new $smallest-byte record gets SafeShmFullException",
            "free {$i['free']} in " . count($arena->free) . ' free blocks' . ($indexFull ? ', the index full' : ''));
        // a replacement needs a free block beside its live record: there is none either
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
            $block = Arena::of($this->raw)->records[(string) $k] ?? -1;
            $ok = $this->s->delete($k);
            unset($this->model[$k]);
            $after = $this->s->info();
            T::check($ok && $after['used'] === $i['used'] - $block && $after['free'] === $i['free'] + $block && $after['entries'] === $i['entries'] - 1,
                "$this->label: delete() frees exactly the record's block", "used {$i['used']} -> {$after['used']}, free {$i['free']} -> {$after['free']}, block $block", true);
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
                $this->put($keys[mt_rand(0, count($keys) - 1)], random_value($profile), 'add');
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
$raw = shmop_open(T::key($name), 'a', 0, 0);
$scratchName = T::storeName('scratch');
Scratch::$s = T::create($scratchName, SEGMENT_SIZE);
Scratch::$key = T::key($scratchName);
$i0 = $s->info();
echo "segment: size {$i0['size']}, arena {$i0['arena_size']}, index {$i0['index_slots']} slots ({$i0['index_bytes']} bytes), capacity {$i0['capacity']}\n";

foreach (['mixed', 'small', 'large', 'mixed', 'small', 'mixed'] as $n => $profile) {
    $label = 'round ' . ($n + 1) . " ($profile)";
    echo "-- $label\n";
    $s->clear();
    $r = new Round($s, $raw, $label);
    $r->fill($profile, 25);
    $r->brim();
    $i = $s->info();
    T::note(sprintf('filled: %d entries, used %d of %d, free %d in %d blocks, index %d slots; %d puts so far, %d SafeShmFullException',
        $i['entries'], $i['used'], $i['capacity'], $i['free'], count(Arena::of($raw)->free), $i['index_slots'], $r->puts, $r->full));
    $r->compare('after the fill');
    $r->deleteHalf();
    $r->compare('after deleting half');
    $r->refill($profile === 'small' ? 'mixed' : $profile, 40);
    $r->brim();
    $i = $s->info();
    T::note(sprintf('refilled: %d entries, used %d, free %d, relocation passes %d; %d puts, %d SafeShmFullException in this round',
        $i['entries'], $i['used'], $i['free'], $i['compactions'], $r->puts, $r->full));
    $r->compare('after the refill');
}
echo 'puts by what the arithmetic said: ', implode(', ', array_map(fn($k, $v) => "$k $v", array_keys(Round::$tally), Round::$tally)), "\n";
T::check(Round::$tally['only relocation could make room: stored'] > 0 && Round::$tally['only relocation could make room: refused'] > 0,
    'relocation made room for some puts no free block held, and not for others', json_encode(Round::$tally));
T::finish();
