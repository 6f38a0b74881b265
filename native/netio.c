/*
 * netio: the few socket system calls keepalived-ts needs and that neither Node nor raw-socket
 * offers — recvmsg with control messages (IPv6 hop limit, packet info), AF_PACKET and AF_UNIX
 * datagram sockets, setns() for keepalived's net_namespace, mkfifo() for notify_fifo, and a bare
 * non-blocking connect (connect, a writable watch, SO_ERROR) for TCP_CHECK, which needs no stream.
 *
 * Everything is thin: structures (sockaddr_*, cmsghdr, mreq) are packed and parsed in
 * TypeScript (adapters/linux/sockaddr.ts). Sockets are always non-blocking and close-on-exec.
 * Readiness is delivered through a uv_poll handle on the calling environment's own loop, so the
 * addon also works inside worker threads.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define NAPI_OK(call)                                                   \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, "EINVAL", "netio: bad arguments");          \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

/* Throws an Error whose .code is the errno name (ENXIO, EPERM…) and .errno the number. */
static napi_value fail(napi_env env, const char *syscall, int err) {
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

static napi_value number(napi_env env, double x) {
  napi_value out;
  napi_create_double(env, x, &out);
  return out;
}

static napi_value nothing(napi_env env) {
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

static int int_arg(napi_env env, napi_value v) {
  int32_t x = -1;
  napi_get_value_int32(env, v, &x);
  return x;
}

/* A Buffer argument, or NULL/0 when the argument is null, undefined or not a buffer. */
static void *buffer_arg(napi_env env, napi_value v, size_t *length) {
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

/* socket(domain, type, protocol) -> fd */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  ARGS(3);
  int fd = socket(int_arg(env, argv[0]), int_arg(env, argv[1]) | SOCK_NONBLOCK | SOCK_CLOEXEC, int_arg(env, argv[2]));
  return fd < 0 ? fail(env, "socket", errno) : number(env, fd);
}

/* setsockopt(fd, level, name, value: Buffer | int) */
static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  ARGS(4);
  size_t length;
  int value;
  void *data = buffer_arg(env, argv[3], &length);
  if (!data) {
    value = int_arg(env, argv[3]);
    data = &value;
    length = sizeof value;
  }
  if (setsockopt(int_arg(env, argv[0]), int_arg(env, argv[1]), int_arg(env, argv[2]), data, (socklen_t)length) < 0)
    return fail(env, "setsockopt", errno);
  return nothing(env);
}

/* bind(fd, sockaddr: Buffer) */
static napi_value js_bind(napi_env env, napi_callback_info info) {
  ARGS(2);
  size_t length;
  void *address = buffer_arg(env, argv[1], &length);
  if (bind(int_arg(env, argv[0]), (struct sockaddr *)address, (socklen_t)length) < 0) return fail(env, "bind", errno);
  return nothing(env);
}

/* connect(fd, sockaddr: Buffer) -> true when connected at once, false while in progress
 * (EINPROGRESS: watch for writable, then read socketError). Other errors are thrown. */
static napi_value js_connect(napi_env env, napi_callback_info info) {
  ARGS(2);
  size_t length;
  void *address = buffer_arg(env, argv[1], &length);
  /* On a non-blocking socket an interrupted connect goes on in the background, like EINPROGRESS. */
  int rc = connect(int_arg(env, argv[0]), (struct sockaddr *)address, (socklen_t)length);
  if (rc < 0 && errno != EINPROGRESS && errno != EINTR) return fail(env, "connect", errno);
  napi_value out;
  napi_get_boolean(env, rc == 0, &out);
  return out;
}

/* socketError(fd) -> getsockopt(SO_ERROR): 0, or the errno of a failed connect */
static napi_value js_socket_error(napi_env env, napi_callback_info info) {
  ARGS(1);
  int err = 0;
  socklen_t length = sizeof err;
  if (getsockopt(int_arg(env, argv[0]), SOL_SOCKET, SO_ERROR, &err, &length) < 0) return fail(env, "getsockopt", errno);
  return number(env, err);
}

/* Points msg at the data (argv[1]), name (argv[2]) and control (argv[3]) buffers; null ones stay empty. */
static void msghdr_from_args(napi_env env, napi_value *argv, struct msghdr *msg, struct iovec *iov) {
  size_t name_length, control_length;
  memset(msg, 0, sizeof *msg);
  iov->iov_base = buffer_arg(env, argv[1], &iov->iov_len);
  msg->msg_iov = iov;
  msg->msg_iovlen = 1;
  msg->msg_name = buffer_arg(env, argv[2], &name_length);
  msg->msg_namelen = (socklen_t)name_length;
  msg->msg_control = buffer_arg(env, argv[3], &control_length);
  msg->msg_controllen = control_length;
}

/* sendmsg(fd, data, sockaddr | null, control | null) -> bytes sent */
static napi_value js_sendmsg(napi_env env, napi_callback_info info) {
  ARGS(4);
  struct iovec iov;
  struct msghdr msg;
  msghdr_from_args(env, argv, &msg, &iov);
  ssize_t sent = sendmsg(int_arg(env, argv[0]), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  return sent < 0 ? fail(env, "sendmsg", errno) : number(env, (double)sent);
}

/* recvmsg(fd, data, name, control) -> null when nothing is queued, else [bytes, namelen, controllen, flags] */
static napi_value js_recvmsg(napi_env env, napi_callback_info info) {
  ARGS(4);
  struct iovec iov;
  struct msghdr msg;
  msghdr_from_args(env, argv, &msg, &iov);
  ssize_t got = recvmsg(int_arg(env, argv[0]), &msg, MSG_DONTWAIT);
  if (got < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      napi_value none;
      napi_get_null(env, &none);
      return none;
    }
    return fail(env, "recvmsg", errno);
  }
  napi_value out;
  napi_create_array_with_length(env, 4, &out);
  napi_set_element(env, out, 0, number(env, (double)got));
  napi_set_element(env, out, 1, number(env, msg.msg_namelen));
  napi_set_element(env, out, 2, number(env, (double)msg.msg_controllen));
  napi_set_element(env, out, 3, number(env, msg.msg_flags));
  return out;
}

/* waitReadable(fd, timeoutMs) -> true when readable before the timeout. Blocks: only for short
 * synchronous netlink dumps, whose answer the kernel queues immediately. */
static napi_value js_wait_readable(napi_env env, napi_callback_info info) {
  ARGS(2);
  struct pollfd p = { .fd = int_arg(env, argv[0]), .events = POLLIN, .revents = 0 };
  int n;
  do n = poll(&p, 1, int_arg(env, argv[1])); while (n < 0 && errno == EINTR);
  if (n < 0) return fail(env, "poll", errno);
  napi_value out;
  napi_get_boolean(env, n > 0, &out);
  return out;
}

typedef struct {
  uv_poll_t handle; /* first member: the uv callbacks cast back to watcher_t */
  napi_env env;
  napi_ref callback;
  napi_async_context context;
} watcher_t;

static void on_ready(uv_poll_t *handle, int status, int events) {
  (void)events;
  watcher_t *w = (watcher_t *)handle;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  napi_value callback, receiver, arg;
  napi_get_reference_value(w->env, w->callback, &callback);
  napi_get_global(w->env, &receiver); /* napi_make_callback wants an object receiver */
  napi_create_int32(w->env, status, &arg);
  napi_make_callback(w->env, w->context, receiver, callback, 1, &arg, NULL);
  napi_close_handle_scope(w->env, scope);
}

static void on_closed(uv_handle_t *handle) { free(handle); }

/* watch(fd, callback(status), writable?) -> handle; callback runs on this environment's loop
 * each time fd is readable (or writable, when asked). A status < 0 (libuv's -errno) means the
 * socket has an error pending, and libuv has stopped polling it. */
static napi_value js_watch(napi_env env, napi_callback_info info) {
  ARGS(3);
  bool writable = false;
  napi_get_value_bool(env, argv[2], &writable);
  uv_loop_t *loop;
  NAPI_OK(napi_get_uv_event_loop(env, &loop));
  watcher_t *w = calloc(1, sizeof *w);
  if (!w) return fail(env, "calloc", ENOMEM);
  int rc = uv_poll_init_socket(loop, &w->handle, int_arg(env, argv[0]));
  if (rc == 0) rc = uv_poll_start(&w->handle, writable ? UV_WRITABLE : UV_READABLE, on_ready);
  if (rc != 0) {
    free(w);
    return fail(env, "uv_poll", -rc);
  }
  w->env = env;
  napi_create_reference(env, argv[1], 1, &w->callback);
  napi_value name;
  napi_create_string_utf8(env, "netio.watch", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->context);
  napi_value handle;
  napi_create_external(env, w, NULL, NULL, &handle);
  return handle;
}

/* unwatch(handle): stop and free the poll handle. Must run before close(fd). */
static napi_value js_unwatch(napi_env env, napi_callback_info info) {
  ARGS(1);
  watcher_t *w = NULL;
  NAPI_OK(napi_get_value_external(env, argv[0], (void **)&w));
  if (w && w->callback) {
    uv_poll_stop(&w->handle);
    napi_delete_reference(env, w->callback);
    napi_async_destroy(env, w->context);
    w->callback = NULL;
    uv_close((uv_handle_t *)&w->handle, on_closed);
  }
  return nothing(env);
}

/* unref(handle): the watcher no longer keeps the process alive */
static napi_value js_unref(napi_env env, napi_callback_info info) {
  ARGS(1);
  watcher_t *w = NULL;
  NAPI_OK(napi_get_value_external(env, argv[0], (void **)&w));
  if (w && w->callback) uv_unref((uv_handle_t *)&w->handle);
  return nothing(env);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  ARGS(1);
  if (close(int_arg(env, argv[0])) < 0) return fail(env, "close", errno);
  return nothing(env);
}

/* setns(fd, nstype): move the calling thread (Node's main thread) into a namespace. */
static napi_value js_setns(napi_env env, napi_callback_info info) {
  ARGS(2);
  if (setns(int_arg(env, argv[0]), int_arg(env, argv[1])) < 0) return fail(env, "setns", errno);
  return nothing(env);
}

/* mkfifo(path, mode); EEXIST is reported like any other error */
static napi_value js_mkfifo(napi_env env, napi_callback_info info) {
  ARGS(2);
  char path[4096];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok || length >= sizeof path - 1)
    return fail(env, "mkfifo", ENAMETOOLONG);
  if (mkfifo(path, (mode_t)int_arg(env, argv[1])) < 0) return fail(env, "mkfifo", errno);
  return nothing(env);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
    { "socket", NULL, js_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setsockopt", NULL, js_setsockopt, NULL, NULL, NULL, napi_enumerable, NULL },
    { "bind", NULL, js_bind, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sendmsg", NULL, js_sendmsg, NULL, NULL, NULL, napi_enumerable, NULL },
    { "recvmsg", NULL, js_recvmsg, NULL, NULL, NULL, napi_enumerable, NULL },
    { "waitReadable", NULL, js_wait_readable, NULL, NULL, NULL, napi_enumerable, NULL },
    { "watch", NULL, js_watch, NULL, NULL, NULL, napi_enumerable, NULL },
    { "unwatch", NULL, js_unwatch, NULL, NULL, NULL, napi_enumerable, NULL },
    { "unref", NULL, js_unref, NULL, NULL, NULL, napi_enumerable, NULL },
    { "connect", NULL, js_connect, NULL, NULL, NULL, napi_enumerable, NULL },
    { "socketError", NULL, js_socket_error, NULL, NULL, NULL, napi_enumerable, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setns", NULL, js_setns, NULL, NULL, NULL, napi_enumerable, NULL },
    { "mkfifo", NULL, js_mkfifo, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  return exports;
}
