/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: a4351d3c8c745b8131394291df82b0f31df1cc5f */

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_TYPE_MASK_EX(arginfo_safeshm_attach, 0, 1, SafeShm, MAY_BE_FALSE)
	ZEND_ARG_TYPE_INFO(0, key, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, size, IS_LONG, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, permissions, IS_LONG, 0, "0666")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_safeshm_detach, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_OBJ_INFO(0, shm, SafeShm, 0)
ZEND_END_ARG_INFO()

#define arginfo_safeshm_remove arginfo_safeshm_detach

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_safeshm_put_var, 0, 3, _IS_BOOL, 0)
	ZEND_ARG_OBJ_INFO(0, shm, SafeShm, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, value, IS_MIXED, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_safeshm_get_var, 0, 2, IS_MIXED, 0)
	ZEND_ARG_OBJ_INFO(0, shm, SafeShm, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_safeshm_has_var, 0, 2, _IS_BOOL, 0)
	ZEND_ARG_OBJ_INFO(0, shm, SafeShm, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_LONG, 0)
ZEND_END_ARG_INFO()

#define arginfo_safeshm_remove_var arginfo_safeshm_has_var

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_SafeShm___construct, 0, 0, 1)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, size, IS_LONG, 0, "0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, permissions, IS_LONG, 0, "0600")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_put, 0, 2, IS_VOID, 0)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO(0, value, IS_MIXED, 0)
	ZEND_ARG_TYPE_MASK(0, ttl, MAY_BE_LONG|MAY_BE_DOUBLE, "0")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_get, 0, 1, IS_MIXED, 0)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, default, IS_MIXED, 0, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_has, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
ZEND_END_ARG_INFO()

#define arginfo_class_SafeShm_delete arginfo_class_SafeShm_has

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_add, 0, 2, _IS_BOOL, 0)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO(0, value, IS_MIXED, 0)
	ZEND_ARG_TYPE_MASK(0, ttl, MAY_BE_LONG|MAY_BE_DOUBLE, "0")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_increment, 0, 1, IS_LONG, 0)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, by, IS_LONG, 0, "1")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_count, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_keys, 0, 0, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, prefix, IS_STRING, 0, "\'\'")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_clear, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_deletePrefix, 0, 1, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, prefix, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_touch, 0, 2, _IS_BOOL, 0)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_MASK(0, ttl, MAY_BE_LONG|MAY_BE_DOUBLE, NULL)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_meta, 0, 1, IS_ARRAY, 1)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_cas, 0, 3, _IS_BOOL, 0)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO(0, expected, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO(0, new, IS_MIXED, 0)
	ZEND_ARG_TYPE_MASK(0, ttl, MAY_BE_LONG|MAY_BE_DOUBLE, "0")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_update, 0, 2, IS_MIXED, 0)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO(0, fn, IS_CALLABLE, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, default, IS_MIXED, 0, "null")
	ZEND_ARG_TYPE_MASK(0, ttl, MAY_BE_LONG|MAY_BE_DOUBLE, "0")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_remember, 0, 2, IS_MIXED, 0)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
	ZEND_ARG_TYPE_INFO(0, compute, IS_CALLABLE, 0)
	ZEND_ARG_TYPE_MASK(0, ttl, MAY_BE_LONG|MAY_BE_DOUBLE, "0")
	ZEND_ARG_TYPE_MASK(0, stale, MAY_BE_LONG|MAY_BE_DOUBLE, "0")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_getMultiple, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_OBJ_TYPE_MASK(0, keys, Traversable, MAY_BE_ARRAY, NULL)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, default, IS_MIXED, 0, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_putMultiple, 0, 1, IS_VOID, 0)
	ZEND_ARG_OBJ_TYPE_MASK(0, values, Traversable, MAY_BE_ARRAY, NULL)
	ZEND_ARG_TYPE_MASK(0, ttl, MAY_BE_LONG|MAY_BE_DOUBLE, "0")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_deleteMultiple, 0, 1, IS_LONG, 0)
	ZEND_ARG_OBJ_TYPE_MASK(0, keys, Traversable, MAY_BE_ARRAY, NULL)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_SafeShm_lock, 0, 1, SafeShmLock, 1)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_MASK(0, wait, MAY_BE_LONG|MAY_BE_DOUBLE, "0")
	ZEND_ARG_TYPE_MASK(0, ttl, MAY_BE_LONG|MAY_BE_DOUBLE, "0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, shared, _IS_BOOL, 0, "false")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_locks, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_SafeShm_list arginfo_class_SafeShm_locks

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_SafeShm_open, 0, 1, SafeShm, 1)
	ZEND_ARG_TYPE_MASK(0, key, MAY_BE_LONG|MAY_BE_STRING, NULL)
ZEND_END_ARG_INFO()

#define arginfo_class_SafeShm_info arginfo_class_SafeShm_locks

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_verify, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_SafeShm_remove arginfo_class_SafeShm_clear

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShm_importSysvshm, 0, 1, IS_LONG, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_LONG, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_SafeShmLock_release arginfo_class_SafeShm_verify

#define arginfo_class_SafeShmLock_isHeld arginfo_class_SafeShm_verify

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShmLock_name, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_SafeShmLock_shared arginfo_class_SafeShm_verify

#define arginfo_class_SafeShmLock_token arginfo_class_SafeShm_count

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_SafeShmLock_refresh, 0, 1, _IS_BOOL, 0)
	ZEND_ARG_TYPE_MASK(0, ttl, MAY_BE_LONG|MAY_BE_DOUBLE, NULL)
ZEND_END_ARG_INFO()

#define arginfo_class_SafeShmLock_previousHolderDied arginfo_class_SafeShm_verify


ZEND_FUNCTION(safeshm_attach);
ZEND_FUNCTION(safeshm_detach);
ZEND_FUNCTION(safeshm_remove);
ZEND_FUNCTION(safeshm_put_var);
ZEND_FUNCTION(safeshm_get_var);
ZEND_FUNCTION(safeshm_has_var);
ZEND_FUNCTION(safeshm_remove_var);
ZEND_METHOD(SafeShm, __construct);
ZEND_METHOD(SafeShm, put);
ZEND_METHOD(SafeShm, get);
ZEND_METHOD(SafeShm, has);
ZEND_METHOD(SafeShm, delete);
ZEND_METHOD(SafeShm, add);
ZEND_METHOD(SafeShm, increment);
ZEND_METHOD(SafeShm, count);
ZEND_METHOD(SafeShm, keys);
ZEND_METHOD(SafeShm, clear);
ZEND_METHOD(SafeShm, deletePrefix);
ZEND_METHOD(SafeShm, touch);
ZEND_METHOD(SafeShm, meta);
ZEND_METHOD(SafeShm, cas);
ZEND_METHOD(SafeShm, update);
ZEND_METHOD(SafeShm, remember);
ZEND_METHOD(SafeShm, getMultiple);
ZEND_METHOD(SafeShm, putMultiple);
ZEND_METHOD(SafeShm, deleteMultiple);
ZEND_METHOD(SafeShm, lock);
ZEND_METHOD(SafeShm, locks);
ZEND_METHOD(SafeShm, list);
ZEND_METHOD(SafeShm, open);
ZEND_METHOD(SafeShm, info);
ZEND_METHOD(SafeShm, verify);
ZEND_METHOD(SafeShm, remove);
ZEND_METHOD(SafeShm, importSysvshm);
ZEND_METHOD(SafeShmLock, release);
ZEND_METHOD(SafeShmLock, isHeld);
ZEND_METHOD(SafeShmLock, name);
ZEND_METHOD(SafeShmLock, shared);
ZEND_METHOD(SafeShmLock, token);
ZEND_METHOD(SafeShmLock, refresh);
ZEND_METHOD(SafeShmLock, previousHolderDied);


static const zend_function_entry ext_functions[] = {
	ZEND_FE(safeshm_attach, arginfo_safeshm_attach)
	ZEND_FE(safeshm_detach, arginfo_safeshm_detach)
	ZEND_FE(safeshm_remove, arginfo_safeshm_remove)
	ZEND_FE(safeshm_put_var, arginfo_safeshm_put_var)
	ZEND_FE(safeshm_get_var, arginfo_safeshm_get_var)
	ZEND_FE(safeshm_has_var, arginfo_safeshm_has_var)
	ZEND_FE(safeshm_remove_var, arginfo_safeshm_remove_var)
	ZEND_FE_END
};


static const zend_function_entry class_SafeShm_methods[] = {
	ZEND_ME(SafeShm, __construct, arginfo_class_SafeShm___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, put, arginfo_class_SafeShm_put, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, get, arginfo_class_SafeShm_get, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, has, arginfo_class_SafeShm_has, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, delete, arginfo_class_SafeShm_delete, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, add, arginfo_class_SafeShm_add, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, increment, arginfo_class_SafeShm_increment, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, count, arginfo_class_SafeShm_count, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, keys, arginfo_class_SafeShm_keys, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, clear, arginfo_class_SafeShm_clear, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, deletePrefix, arginfo_class_SafeShm_deletePrefix, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, touch, arginfo_class_SafeShm_touch, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, meta, arginfo_class_SafeShm_meta, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, cas, arginfo_class_SafeShm_cas, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, update, arginfo_class_SafeShm_update, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, remember, arginfo_class_SafeShm_remember, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, getMultiple, arginfo_class_SafeShm_getMultiple, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, putMultiple, arginfo_class_SafeShm_putMultiple, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, deleteMultiple, arginfo_class_SafeShm_deleteMultiple, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, lock, arginfo_class_SafeShm_lock, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, locks, arginfo_class_SafeShm_locks, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, list, arginfo_class_SafeShm_list, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(SafeShm, open, arginfo_class_SafeShm_open, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(SafeShm, info, arginfo_class_SafeShm_info, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, verify, arginfo_class_SafeShm_verify, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, remove, arginfo_class_SafeShm_remove, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShm, importSysvshm, arginfo_class_SafeShm_importSysvshm, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_SafeShmLock_methods[] = {
	ZEND_ME(SafeShmLock, release, arginfo_class_SafeShmLock_release, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShmLock, isHeld, arginfo_class_SafeShmLock_isHeld, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShmLock, name, arginfo_class_SafeShmLock_name, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShmLock, shared, arginfo_class_SafeShmLock_shared, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShmLock, token, arginfo_class_SafeShmLock_token, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShmLock, refresh, arginfo_class_SafeShmLock_refresh, ZEND_ACC_PUBLIC)
	ZEND_ME(SafeShmLock, previousHolderDied, arginfo_class_SafeShmLock_previousHolderDied, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_SafeShmException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_SafeShmFullException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_SafeShmTimeoutException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_SafeShmCorruptException_methods[] = {
	ZEND_FE_END
};

static zend_class_entry *register_class_SafeShm(zend_class_entry *class_entry_Countable)
{
	zend_class_entry ce, *class_entry;

	INIT_CLASS_ENTRY(ce, "SafeShm", class_SafeShm_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;
	zend_class_implements(class_entry, 1, class_entry_Countable);

	return class_entry;
}

static zend_class_entry *register_class_SafeShmLock(void)
{
	zend_class_entry ce, *class_entry;

	INIT_CLASS_ENTRY(ce, "SafeShmLock", class_SafeShmLock_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_SafeShmException(zend_class_entry *class_entry_RuntimeException)
{
	zend_class_entry ce, *class_entry;

	INIT_CLASS_ENTRY(ce, "SafeShmException", class_SafeShmException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_RuntimeException);

	return class_entry;
}

static zend_class_entry *register_class_SafeShmFullException(zend_class_entry *class_entry_SafeShmException)
{
	zend_class_entry ce, *class_entry;

	INIT_CLASS_ENTRY(ce, "SafeShmFullException", class_SafeShmFullException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SafeShmException);

	return class_entry;
}

static zend_class_entry *register_class_SafeShmTimeoutException(zend_class_entry *class_entry_SafeShmException)
{
	zend_class_entry ce, *class_entry;

	INIT_CLASS_ENTRY(ce, "SafeShmTimeoutException", class_SafeShmTimeoutException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SafeShmException);

	return class_entry;
}

static zend_class_entry *register_class_SafeShmCorruptException(zend_class_entry *class_entry_SafeShmException)
{
	zend_class_entry ce, *class_entry;

	INIT_CLASS_ENTRY(ce, "SafeShmCorruptException", class_SafeShmCorruptException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_SafeShmException);

	return class_entry;
}
