/*
 * The advert backstop: a thread of its own that sends a master's next advert when the JavaScript
 * thread is held up past its due time (a pause of V8's collector, a long synchronous step).
 *
 * JavaScript decides everything: after each periodic advert it hands the next one over (its
 * bytes, socket, destination and due time) to a slot, and when that advert falls due it takes
 * the slot back. Normally it takes it before the due time has passed, and sends the advert
 * itself; the thread never wakes. When the JavaScript thread is late, the thread sends the
 * advert at its due time instead, once, and JavaScript, when it comes to it, learns that it left
 * and when (take) and does not send it again. The thread never sends a slot twice and never
 * refills one: if the JavaScript thread stops for good, each master sends at most one advert
 * more.
 *
 * The thread sleeps on a timerfd of its own. JavaScript arms it (guard) for the earliest advert
 * it is about to send, plus a grace, each time it arms its own timer; it is re-armed before it
 * expires as long as JavaScript keeps up, so the thread costs no wake-up then. When it does
 * expire, the thread sends every slot whose due time has passed and arms itself for the next.
 *
 * All state is behind one mutex, the sends too: cancelFd() returning means no send on that fd is
 * running or will run, so its caller may close the fd. The thread and the descriptors are
 * created with the first slot and live as long as the process (stopped with the environment that
 * made them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "napi-util.h"
#include "advert-backstop.h"

enum { SLOT_FREE, SLOT_IDLE, SLOT_ARMED, SLOT_SENT };

/* An advert's bytes, destination and IPV6_PKTINFO are copied into the slot. */
#define NAME_MAX_BYTES 128
#define CONTROL_MAX_BYTES 64

typedef struct {
  int state;
  int fd;
  int64_t due_ns;
  int64_t sent_ns;
  uint8_t *data;
  size_t length, capacity;
  uint8_t name[NAME_MAX_BYTES];
  socklen_t name_length;
  uint8_t control[CONTROL_MAX_BYTES] __attribute__((aligned(8)));
  size_t control_length;
} slot_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static slot_t *slots;
static size_t nslots;
static int timer_fd = -1, stop_fd = -1;
static uv_thread_t thread;
static int running;
/* The timerfd's expiry (CLOCK_MONOTONIC ns), INT64_MAX when disarmed. */
static int64_t armed_ns = INT64_MAX;
static double sent_count, wake_count, error_count;
/* Whether the thread got its realtime priority. */
static int realtime;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Arms the timerfd for `at` (absolute), or disarms it with INT64_MAX. Called with the lock held. */
static void arm_at(int64_t at) {
  struct itimerspec t;
  memset(&t, 0, sizeof t);
  if (at != INT64_MAX) {
    if (at < 1) at = 1;
    t.it_value.tv_sec = (time_t)(at / 1000000000LL);
    t.it_value.tv_nsec = (long)(at % 1000000000LL);
  }
  armed_ns = at;
  timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &t, NULL);
}

/* The earliest due time among the armed slots, INT64_MAX when none is. Called with the lock held. */
static int64_t earliest_armed(void) {
  int64_t at = INT64_MAX;
  for (size_t i = 0; i < nslots; i++)
    if (slots[i].state == SLOT_ARMED && slots[i].due_ns < at) at = slots[i].due_ns;
  return at;
}

/* Sends every armed slot that is due, then arms the timerfd for the earliest one left. */
static void send_due(void) {
  pthread_mutex_lock(&lock);
  wake_count++;
  int64_t now = now_ns();
  for (size_t i = 0; i < nslots; i++) {
    slot_t *s = &slots[i];
    if (s->state != SLOT_ARMED || s->due_ns > now) continue;
    struct iovec iov = { .iov_base = s->data, .iov_len = s->length };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_name = s->name_length ? s->name : NULL;
    msg.msg_namelen = s->name_length;
    msg.msg_control = s->control_length ? s->control : NULL;
    msg.msg_controllen = s->control_length;
    int64_t at = now_ns();
    if (sendmsg(s->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
      s->state = SLOT_SENT;
      s->sent_ns = at;
      sent_count++;
    } else {
      /* JavaScript sends it when it comes to it, and reports the error then. */
      s->state = SLOT_IDLE;
      error_count++;
    }
  }
  arm_at(earliest_armed());
  pthread_mutex_unlock(&lock);
}

static void run(void *arg) {
  (void)arg;
  prctl(PR_SET_NAME, "advert-backstop"); /* as `top -H` and /proc/PID/task/TID/comm show it */
  /* The lowest realtime priority, where the process may (root, CAP_SYS_NICE): a thread that is to
   * send on time must not queue for a CPU behind the ones that hold the main thread up (V8's
   * collector runs on the main thread and on helper threads at once). It sleeps otherwise; what
   * it does when it wakes is bounded (a scan and a send per due slot). Without the right it
   * stays an ordinary thread. */
  struct sched_param rt = { .sched_priority = 1 };
  realtime = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &rt) == 0;
  struct pollfd p[2] = { { .fd = timer_fd, .events = POLLIN, .revents = 0 }, { .fd = stop_fd, .events = POLLIN, .revents = 0 } };
  for (;;) {
    int n = poll(p, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || p[1].revents) break;
    if (p[0].revents & POLLIN) {
      uint64_t expirations;
      if (read(timer_fd, &expirations, sizeof expirations) == (ssize_t)sizeof expirations) send_due();
    }
  }
}

static void stop(void *arg) {
  (void)arg;
  if (!running) return;
  uint64_t one = 1;
  if (write(stop_fd, &one, sizeof one) == (ssize_t)sizeof one) uv_thread_join(&thread);
  close(timer_fd);
  close(stop_fd);
  timer_fd = stop_fd = -1;
  running = 0;
  armed_ns = INT64_MAX;
  for (size_t i = 0; i < nslots; i++) free(slots[i].data);
  free(slots);
  slots = NULL;
  nslots = 0;
}

/* Starts the thread (once); 0, or an errno. Called with the lock held. */
static int start(napi_env env) {
  if (running) return 0;
  timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (timer_fd < 0) return errno;
  stop_fd = eventfd(0, EFD_CLOEXEC);
  int err = stop_fd < 0 ? errno : 0;
  /* The thread takes no signals: they stay with Node's threads (it inherits the mask it is
   * created with). libuv's thread and the process-wide sigprocmask keep the addon's glibc
   * symbols at 2.17 (pthread_create and pthread_sigmask are 2.34 and 2.32 symbols when built
   * against a newer glibc). */
  sigset_t all, old;
  sigfillset(&all);
  if (!err) {
    sigprocmask(SIG_SETMASK, &all, &old);
    err = -uv_thread_create(&thread, run, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
  }
  if (err) {
    close(timer_fd);
    if (stop_fd >= 0) close(stop_fd);
    timer_fd = stop_fd = -1;
    return err;
  }
  running = 1;
  napi_add_env_cleanup_hook(env, stop, NULL);
  return 0;
}

static slot_t *slot_arg(napi_env env, napi_value v) {
  int i = int_arg(env, v);
  return i >= 0 && (size_t)i < nslots && slots[i].state != SLOT_FREE ? &slots[i] : NULL;
}

/* backstopSlot() -> a new slot's number (the thread is started with the first) */
static napi_value js_slot(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_mutex_lock(&lock);
  int err = start(env);
  size_t i = 0;
  while (!err && i < nslots && slots[i].state != SLOT_FREE) i++;
  if (!err && i == nslots) {
    slot_t *grown = realloc(slots, (nslots + 64) * sizeof *slots);
    if (!grown) err = ENOMEM;
    else {
      memset(grown + nslots, 0, 64 * sizeof *slots);
      slots = grown;
      nslots += 64;
    }
  }
  if (!err) slots[i].state = SLOT_IDLE;
  pthread_mutex_unlock(&lock);
  return err ? fail_in(env, "backstopSlot", err) : number(env, (double)i);
}

/* backstopArm(slot, fd, data, sockaddr | null, control | null, inMs): the slot holds this advert,
 * to be sent inMs from now unless taken back first. Replaces what the slot held. */
static napi_value js_arm(napi_env env, napi_callback_info info) {
  ARGS(6);
  size_t length, name_length, control_length;
  void *data = buffer_arg(env, argv[2], &length);
  void *name = buffer_arg(env, argv[3], &name_length);
  void *control = buffer_arg(env, argv[4], &control_length);
  double ms = NAN;
  napi_get_value_double(env, argv[5], &ms);
  if (!data || length == 0 || name_length > NAME_MAX_BYTES || control_length > CONTROL_MAX_BYTES || !(ms >= 0) || isinf(ms))
    return fail_in(env, "backstopArm", EINVAL);
  pthread_mutex_lock(&lock);
  slot_t *s = slot_arg(env, argv[0]);
  int err = s ? 0 : EINVAL;
  if (s && s->capacity < length) {
    uint8_t *bigger = realloc(s->data, length);
    if (!bigger) err = ENOMEM;
    else {
      s->data = bigger;
      s->capacity = length;
    }
  }
  if (!err) {
    memcpy(s->data, data, length);
    s->length = length;
    if (name_length) memcpy(s->name, name, name_length);
    s->name_length = (socklen_t)name_length;
    if (control_length) memcpy(s->control, control, control_length);
    s->control_length = control_length;
    s->fd = int_arg(env, argv[1]);
    s->due_ns = now_ns() + (int64_t)(ms * 1e6);
    s->state = SLOT_ARMED;
    /* Without a guard (or with a later one), the slot's own due time wakes the thread. */
    if (s->due_ns < armed_ns) arm_at(s->due_ns);
  }
  pthread_mutex_unlock(&lock);
  return err ? fail_in(env, "backstopArm", err) : nothing(env);
}

/* backstopTake(slot) -> ms since the thread sent the slot's advert, or -1 when it did not (the
 * advert, if any, is dropped: the caller sends its own). The slot is empty afterwards. */
static napi_value js_take(napi_env env, napi_callback_info info) {
  ARGS(1);
  pthread_mutex_lock(&lock);
  slot_t *s = slot_arg(env, argv[0]);
  double ago = -1;
  if (s) {
    if (s->state == SLOT_SENT) ago = (double)(now_ns() - s->sent_ns) / 1e6;
    s->state = SLOT_IDLE;
  }
  pthread_mutex_unlock(&lock);
  return number(env, ago);
}

/* backstopFree(slot): the slot is dropped and its number may be handed out again. */
static napi_value js_free(napi_env env, napi_callback_info info) {
  ARGS(1);
  pthread_mutex_lock(&lock);
  slot_t *s = slot_arg(env, argv[0]);
  if (s) s->state = SLOT_FREE;
  pthread_mutex_unlock(&lock);
  return nothing(env);
}

/* backstopCancelFd(fd): every slot holding an advert for fd is emptied; once this returns, the
 * thread neither sends on fd nor will, and fd may be closed. */
static napi_value js_cancel_fd(napi_env env, napi_callback_info info) {
  ARGS(1);
  int fd = int_arg(env, argv[0]);
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < nslots; i++)
    if (slots[i].fd == fd && (slots[i].state == SLOT_ARMED || slots[i].state == SLOT_SENT)) slots[i].state = SLOT_IDLE;
  pthread_mutex_unlock(&lock);
  return nothing(env);
}

/* backstopGuard(inMs): the thread wakes inMs from now (Infinity: not before a slot's own due
 * time), and sends what is due then. JavaScript calls it each time it arms its own timer. */
static napi_value js_guard(napi_env env, napi_callback_info info) {
  ARGS(1);
  double ms = NAN;
  napi_get_value_double(env, argv[0], &ms);
  if (!(ms == ms)) return fail_in(env, "backstopGuard", EINVAL);
  pthread_mutex_lock(&lock);
  if (running) arm_at(isinf(ms) ? earliest_armed() : now_ns() + (ms > 0 ? (int64_t)(ms * 1e6) : 0));
  pthread_mutex_unlock(&lock);
  return nothing(env);
}

/* backstopStats() -> [adverts the thread sent, its wake-ups, its failed sends, 1 when it runs at
 * realtime priority] */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_mutex_lock(&lock);
  double sent = sent_count, wakes = wake_count, errors = error_count, rt = realtime;
  pthread_mutex_unlock(&lock);
  napi_value out;
  napi_create_array_with_length(env, 4, &out);
  napi_set_element(env, out, 0, number(env, sent));
  napi_set_element(env, out, 1, number(env, wakes));
  napi_set_element(env, out, 2, number(env, errors));
  napi_set_element(env, out, 3, number(env, rt));
  return out;
}

void advert_backstop_methods(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    { "backstopSlot", NULL, js_slot, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopArm", NULL, js_arm, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopTake", NULL, js_take, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopFree", NULL, js_free, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopCancelFd", NULL, js_cancel_fd, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopGuard", NULL, js_guard, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopStats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}
