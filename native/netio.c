/*
 * netio: the few socket system calls keepalived-ts needs and that neither Node nor raw-socket
 * offers — recvmsg with control messages (IPv6 hop limit, packet info), AF_PACKET and AF_UNIX
 * datagram sockets, setns() for keepalived's net_namespace, mkfifo() for notify_fifo, and
 * TCP_CHECK's connects, which need no stream (tcpStart…: non-blocking connects in one epoll set,
 * their results read here and handed to JavaScript a batch at a time), and a timerfd for the
 * timers that must fire within microseconds of their due time (Node's count whole milliseconds),
 * and the advert backstop (advert-backstop.c).
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
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <math.h>

#include "napi-util.h"
#include "advert-backstop.h"

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
  const double out[4] = { (double)got, msg.msg_namelen, (double)msg.msg_controllen, msg.msg_flags };
  return numbers(env, out, 4);
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

/* Whether a watcher keeps the process alive: ref(handle) (the default after watch), unref(handle). */
static napi_value watcher_ref(napi_env env, napi_callback_info info, bool keep) {
  ARGS(1);
  watcher_t *w = NULL;
  NAPI_OK(napi_get_value_external(env, argv[0], (void **)&w));
  if (w && w->callback) (keep ? uv_ref : uv_unref)((uv_handle_t *)&w->handle);
  return nothing(env);
}

static napi_value js_unref(napi_env env, napi_callback_info info) { return watcher_ref(env, info, false); }
static napi_value js_ref(napi_env env, napi_callback_info info) { return watcher_ref(env, info, true); }

/* timerfd() -> fd: a CLOCK_MONOTONIC timer, non-blocking and close-on-exec, disarmed. */
static napi_value js_timerfd(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  return fd < 0 ? fail_in(env, "timerfd_create", errno) : number(env, fd);
}

/* timerfdSet(fd, delayMs): the timer expires once, delayMs (fractions to the nanosecond; at
 * least 1 ns) from now; Infinity disarms it. Either way the expirations not yet read are
 * dropped (timerfd_settime resets the count), so the fd is readable again only once the new
 * expiry has passed: re-arming is all a readiness callback needs to do, no read(2). */
static napi_value js_timerfd_set(napi_env env, napi_callback_info info) {
  ARGS(2);
  double ms = 0;
  NAPI_OK(napi_get_value_double(env, argv[1], &ms));
  struct itimerspec t;
  memset(&t, 0, sizeof t);
  if (!isinf(ms)) {
    long long ns = ms > 0 ? (long long)(ms * 1e6) : 0;
    if (ns < 1) ns = 1;
    t.it_value.tv_sec = (time_t)(ns / 1000000000LL);
    t.it_value.tv_nsec = (long)(ns % 1000000000LL);
  }
  if (timerfd_settime(int_arg(env, argv[0]), 0, &t, NULL) < 0) return fail_in(env, "timerfd_settime", errno);
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

/*
 * TCP_CHECK's connects, many at a time. A probe is a non-blocking socket whose connect is in
 * flight, registered (EPOLLOUT, one shot) in one epoll set per environment; the set itself is
 * watched by one uv_poll. When it turns readable, every finished connect is read (SO_ERROR) and
 * closed here, and the results go to JavaScript as [fd, errno] pairs in the Int32Array given to
 * tcpInit, one call per batch. Per probe that is socket, connect, epoll_ctl, getsockopt and
 * close, and one N-API call (tcpStart): no handle, reference or async context of its own.
 *
 * An fd is the probe's name on both sides. The registration carries a generation next to the fd,
 * so an event left over from an earlier socket of the same number is recognised and dropped.
 */
typedef struct {
  uv_poll_t handle; /* first member: the uv callbacks cast back to probes_t */
  napi_env env;
  int epfd;
  napi_ref callback;
  napi_ref results_ref;
  int32_t *results; /* [fd, errno] pairs */
  size_t results_pairs;
  napi_async_context context;
  uint32_t *gens; /* per fd: the generation of its registration in flight, 0 when none */
  size_t ngens;
  uint32_t next_gen;
  size_t inflight;
  napi_async_cleanup_hook_handle cleanup;
} probes_t;

#define PROBES_BATCH 1024

static void probes_delivered(probes_t *p, size_t count) {
  napi_env env = p->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, receiver, arg, result;
  napi_get_reference_value(env, p->callback, &callback);
  napi_get_global(env, &receiver);
  napi_create_uint32(env, (uint32_t)count, &arg);
  if (napi_make_callback(env, p->context, receiver, callback, 1, &arg, &result) == napi_pending_exception) {
    /* An exception in the callback is the process's, as from any other event. */
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

static void probes_ready(uv_poll_t *handle, int status, int events) {
  (void)status;
  (void)events;
  probes_t *p = (probes_t *)handle;
  struct epoll_event ready[PROBES_BATCH];
  int cap = p->results_pairs < PROBES_BATCH ? (int)p->results_pairs : PROBES_BATCH;
  /* Until none is left, as libuv reads its own events (up to 48 rounds of 1,024): a connect left
   * for the next turn of the loop would meet its deadline's timer first, and that timer runs
   * before the loop reads sockets again. The bound only keeps connects that keep finishing
   * meanwhile from holding the loop here for ever. */
  for (int round = 0; round < 48 && p->callback; round++) {
    int n;
    do n = epoll_wait(p->epfd, ready, cap, 0); while (n < 0 && errno == EINTR);
    if (n <= 0) break;
    size_t count = 0;
    for (int i = 0; i < n; i++) {
      uint32_t fd = (uint32_t)ready[i].data.u64;
      uint32_t gen = (uint32_t)(ready[i].data.u64 >> 32);
      if (fd >= p->ngens || p->gens[fd] != gen) continue;
      int err = 0;
      socklen_t length = sizeof err;
      if (getsockopt((int)fd, SOL_SOCKET, SO_ERROR, &err, &length) < 0) err = errno;
      /* An error condition with no error to read: what libuv reports for it (watch's status). */
      if (!err && (ready[i].events & EPOLLERR)) err = EBADF;
      close((int)fd);
      p->gens[fd] = 0;
      p->inflight--;
      p->results[2 * count] = (int32_t)fd;
      p->results[2 * count + 1] = err;
      count++;
    }
    if (p->inflight == 0) uv_unref((uv_handle_t *)&p->handle);
    if (count) probes_delivered(p, count);
    if (n < cap) break;
  }
}

static void probes_closed(uv_handle_t *handle) {
  probes_t *p = (probes_t *)handle;
  close(p->epfd);
  napi_remove_async_cleanup_hook(p->cleanup);
  free(p->gens);
  free(p);
}

/* The environment is going away: the connects in flight are closed with it. */
static void probes_teardown(napi_async_cleanup_hook_handle cleanup, void *arg) {
  probes_t *p = arg;
  p->cleanup = cleanup;
  for (size_t fd = 0; fd < p->ngens; fd++)
    if (p->gens[fd]) close((int)fd);
  if (p->callback) {
    napi_delete_reference(p->env, p->callback);
    napi_delete_reference(p->env, p->results_ref);
    napi_async_destroy(p->env, p->context);
    p->callback = NULL;
  }
  uv_poll_stop(&p->handle);
  uv_close((uv_handle_t *)&p->handle, probes_closed);
}

static probes_t *probes_of(napi_env env) {
  void *p = NULL;
  napi_get_instance_data(env, &p);
  return p;
}

/* tcpInit(onDone(count), results: Int32Array): makes this environment's epoll set, once. onDone
 * then gets each batch of finished connects: results[2i] the fd (already closed), results[2i+1]
 * 0 when connected, else the errno. The array is read during the call only. */
static napi_value js_tcp_init(napi_env env, napi_callback_info info) {
  ARGS(2);
  napi_typedarray_type type;
  size_t length;
  void *data = NULL;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_int32_array || length < 2)
    return fail_in(env, "tcpInit", EINVAL);
  probes_t *p = probes_of(env);
  if (!p) {
    uv_loop_t *loop;
    NAPI_OK(napi_get_uv_event_loop(env, &loop));
    p = calloc(1, sizeof *p);
    if (!p) return fail_in(env, "calloc", ENOMEM);
    p->env = env;
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (p->epfd < 0) {
      int e = errno;
      free(p);
      return fail_in(env, "epoll_create1", e);
    }
    int rc = uv_poll_init(loop, &p->handle, p->epfd);
    if (rc == 0) rc = uv_poll_start(&p->handle, UV_READABLE, probes_ready);
    if (rc != 0) {
      close(p->epfd);
      free(p);
      return fail_in(env, "uv_poll", -rc);
    }
    uv_unref((uv_handle_t *)&p->handle);
    napi_add_async_cleanup_hook(env, probes_teardown, p, NULL);
    napi_set_instance_data(env, p, NULL, NULL);
    napi_value name;
    napi_create_string_utf8(env, "netio.tcp", NAPI_AUTO_LENGTH, &name);
    napi_async_init(env, NULL, name, &p->context);
  } else {
    napi_delete_reference(env, p->callback);
    napi_delete_reference(env, p->results_ref);
  }
  napi_create_reference(env, argv[0], 1, &p->callback);
  napi_create_reference(env, argv[1], 1, &p->results_ref);
  p->results = data;
  p->results_pairs = length / 2;
  return nothing(env);
}

/* tcpStart(fd, sockaddr) -> fd: connects fd (or, when fd is -1, a new non-blocking socket of the
 * address's family) to sockaddr and registers it; its result comes in a batch. The fd is the
 * prober's from here on: closed on any error (connect failing at once, the .code its errno). */
static napi_value js_tcp_start(napi_env env, napi_callback_info info) {
  ARGS(2);
  probes_t *p = probes_of(env);
  int fd = int_arg(env, argv[0]);
  size_t length;
  struct sockaddr *to = buffer_arg(env, argv[1], &length);
  if (!p || !p->callback || !to || length < sizeof(sa_family_t)) {
    if (fd >= 0) close(fd);
    return fail_in(env, "tcpStart", p && p->callback ? EINVAL : EBADF);
  }
  if (fd < 0) {
    fd = socket(to->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail_in(env, "socket", errno);
  }
  if (connect(fd, to, (socklen_t)length) < 0 && errno != EINPROGRESS && errno != EINTR) {
    int e = errno;
    close(fd);
    return fail_in(env, "connect", e);
  }
  if ((size_t)fd >= p->ngens) {
    size_t n = p->ngens ? p->ngens : 1024;
    while (n <= (size_t)fd) n *= 2;
    uint32_t *gens = realloc(p->gens, n * sizeof *gens);
    if (!gens) {
      close(fd);
      return fail_in(env, "realloc", ENOMEM);
    }
    memset(gens + p->ngens, 0, (n - p->ngens) * sizeof *gens);
    p->gens = gens;
    p->ngens = n;
  }
  if (++p->next_gen == 0) p->next_gen = 1;
  struct epoll_event ev = { .events = EPOLLOUT | EPOLLONESHOT, .data = { .u64 = ((uint64_t)p->next_gen << 32) | (uint32_t)fd } };
  if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    int e = errno;
    close(fd);
    return fail_in(env, "epoll_ctl", e);
  }
  p->gens[fd] = p->next_gen;
  if (p->inflight++ == 0) uv_ref((uv_handle_t *)&p->handle);
  return number(env, fd);
}

/* tcpSettle(fd, sockaddr) -> the connect's state now, without waiting for its batch: 0 connected,
 * -1 still in progress, else the errno of its failure. SO_ERROR first, then a second connect:
 * EISCONN connected, EALREADY in progress. The probe stays registered. */
static napi_value js_tcp_settle(napi_env env, napi_callback_info info) {
  ARGS(2);
  probes_t *p = probes_of(env);
  int fd = int_arg(env, argv[0]);
  if (!p || fd < 0 || (size_t)fd >= p->ngens || !p->gens[fd]) return fail_in(env, "tcpSettle", EBADF);
  size_t length;
  struct sockaddr *to = buffer_arg(env, argv[1], &length);
  int err = 0;
  socklen_t size = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &size) < 0) err = errno;
  if (!err && to && connect(fd, to, (socklen_t)length) < 0) {
    if (errno == EALREADY || errno == EINPROGRESS || errno == EINTR) err = -1;
    else if (errno != EISCONN) err = errno;
  }
  return number(env, err);
}

/* tcpClose(fd) -> whether it was in flight: if so it is closed (a FIN once connected) and its
 * result never comes. An fd not in flight is left alone. */
static napi_value js_tcp_close(napi_env env, napi_callback_info info) {
  ARGS(1);
  probes_t *p = probes_of(env);
  int fd = int_arg(env, argv[0]);
  bool was = p && fd >= 0 && (size_t)fd < p->ngens && p->gens[fd];
  if (was) {
    close(fd); /* also leaves the epoll set: nothing else holds this file */
    p->gens[fd] = 0;
    if (--p->inflight == 0) uv_unref((uv_handle_t *)&p->handle);
  }
  napi_value out;
  napi_get_boolean(env, was, &out);
  return out;
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
    { "ref", NULL, js_ref, NULL, NULL, NULL, napi_enumerable, NULL },
    { "timerfd", NULL, js_timerfd, NULL, NULL, NULL, napi_enumerable, NULL },
    { "timerfdSet", NULL, js_timerfd_set, NULL, NULL, NULL, napi_enumerable, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setns", NULL, js_setns, NULL, NULL, NULL, napi_enumerable, NULL },
    { "mkfifo", NULL, js_mkfifo, NULL, NULL, NULL, napi_enumerable, NULL },
    { "tcpInit", NULL, js_tcp_init, NULL, NULL, NULL, napi_enumerable, NULL },
    { "tcpStart", NULL, js_tcp_start, NULL, NULL, NULL, napi_enumerable, NULL },
    { "tcpSettle", NULL, js_tcp_settle, NULL, NULL, NULL, napi_enumerable, NULL },
    { "tcpClose", NULL, js_tcp_close, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  advert_backstop_methods(env, exports);
  return exports;
}
