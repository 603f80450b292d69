<?php
// Composer's autoloader when the package was installed with it; otherwise Debian's packages
// (php-psr-simple-cache, php-symfony-cache, found on the include path) and this package's own classes.
declare(strict_types=1);

if (!extension_loaded('safeshm')) {
    fwrite(STDERR, "the safeshm extension is not loaded (php -d extension=safeshm.so vendor/bin/phpunit)\n");
    exit(1);
}
if (is_file(__DIR__ . '/../vendor/autoload.php')) {
    require __DIR__ . '/../vendor/autoload.php';
    return;
}
foreach (['Psr/SimpleCache/autoload.php', 'Symfony/Component/Cache/autoload.php'] as $file) {
    $path = stream_resolve_include_path($file);
    if ($path !== false) {
        require_once $path;
    }
}
spl_autoload_register(static function (string $class): void {
    foreach (['SafeShm\\SimpleCache\\Tests\\' => __DIR__ . '/', 'SafeShm\\SimpleCache\\' => __DIR__ . '/../src/'] as $ns => $dir) {
        if (str_starts_with($class, $ns)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($ns))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
