/*
 * The small N-API helpers the addon's C files share: argument reading, numbers, and errors that
 * carry the errno's name as .code, as Node's own do.
 */
#ifndef KEEPALIVED_TS_NAPI_UTIL_H
#define KEEPALIVED_TS_NAPI_UTIL_H
#include <node_api.h>
#include <uv.h>
#include <stdio.h>
#include <string.h>

#define NAPI_OK(call)                                                   \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, "EINVAL", "netio: bad arguments");          \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

/* Throws an Error whose .code is the errno name (ENXIO, EPERM…) and .errno the number. */
static inline napi_value fail(napi_env env, const char *syscall, int err) {
  char text[200];
  snprintf(text, sizeof text, "%s: %s", syscall, strerror(err));
  napi_value message, code, number, error;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_string_utf8(env, uv_err_name(-err), NAPI_AUTO_LENGTH, &code);
  napi_create_int32(env, err, &number);
  napi_create_error(env, code, message, &error);
  napi_set_named_property(env, error, "errno", number);
  napi_throw(env, error);
  return NULL;
}

/* fail(), and the error's .syscall names the call, as in Node's own errors. */
static inline napi_value fail_in(napi_env env, const char *syscall, int err) {
  fail(env, syscall, err);
  napi_value error, call;
  napi_get_and_clear_last_exception(env, &error);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &call);
  napi_set_named_property(env, error, "syscall", call);
  napi_throw(env, error);
  return NULL;
}

static inline napi_value number(napi_env env, double x) {
  napi_value out;
  napi_create_double(env, x, &out);
  return out;
}

/* An array of `n` numbers (the addon's multi-value answers: recvmsg, the backstop's stats and reads). */
static inline napi_value numbers(napi_env env, const double *values, uint32_t n) {
  napi_value out;
  napi_create_array_with_length(env, n, &out);
  for (uint32_t i = 0; i < n; i++) napi_set_element(env, out, i, number(env, values[i]));
  return out;
}

static inline napi_value nothing(napi_env env) {
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

static inline int int_arg(napi_env env, napi_value v) {
  int32_t x = -1;
  napi_get_value_int32(env, v, &x);
  return x;
}

/* A Buffer argument, or NULL/0 when the argument is null, undefined or not a buffer. */
static inline void *buffer_arg(napi_env env, napi_value v, size_t *length) {
  bool is_buffer = false;
  void *data = NULL;
  *length = 0;
  if (napi_is_buffer(env, v, &is_buffer) == napi_ok && is_buffer) napi_get_buffer_info(env, v, &data, length);
  return data;
}

#define ARGS(n)                                                         \
  size_t argc = (n);                                                    \
  napi_value argv[(n)];                                                 \
  NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));        \
  for (size_t i = argc; i < (n); i++) napi_get_undefined(env, &argv[i])

#endif
