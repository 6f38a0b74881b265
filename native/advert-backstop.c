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
 * A slot may also repeat (backstopRepeat): the thread then is the master's sender, not its
 * backstop. It sends the slot's advert at its due time and every interval after, each counted
 * from the wake that sent it as the JavaScript timers count theirs, with the next IPv4 ID patched
 * in (and the header checksum with it) where the slot has one, and adverts due within the same
 * early window as those timers' (min(2 ms, 0.2 % of the interval)) go out in the same wake.
 * JavaScript reads back how many left and the last IPv4 ID (backstopRepeatRead) when it
 * counts, and when it stops the repetition (a priority change, the end of MASTER, a reload that
 * changes the advert). A send that fails stops the slot: the thread writes to an eventfd that
 * JavaScript watches (backstopFailFd), which then finds the slot (backstopFailed) and sends
 * from its own timer again, reporting the error as it always does.
 *
 * A second thread may cover the first (backstopCover): pinned to another CPU than the first, which
 * is pinned too, it wakes COVER_NS after each repeating slot's due time and sends what the first
 * has not sent by then, as the first would have. A virtual machine's host takes one of its CPUs
 * away now and then for up to tens of milliseconds, with whatever thread was to run there; a
 * second thread elsewhere is how an advert still leaves then (docs/benchmarks.md, "A second
 * sender on the other CPU"). It arms its timer from its own CPU, so that the timer's interrupt
 * does not wait for the first thread's CPU either. It costs a wake-up for each of the first's.
 * It runs only with realtime priority and a second CPU, where both threads can be sure of theirs.
 *
 * All state is behind one mutex, the sends too: cancelFd() returning means no send on that fd is
 * running or will run, so its caller may close the fd. The first thread and the descriptors are
 * created with the first slot, the second by backstopCover; they live as long as the process
 * (stopped with the environment that made them, the second also by backstopCover(false)).
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
#include <sys/syscall.h>
#include <sys/timerfd.h>

#include "napi-util.h"
#include "advert-backstop.h"

enum { SLOT_FREE, SLOT_IDLE, SLOT_ARMED, SLOT_SENT, SLOT_REPEAT, SLOT_FAILED };

/* An advert's bytes, destination and IPV6_PKTINFO are copied into the slot. */
#define NAME_MAX_BYTES 128
#define CONTROL_MAX_BYTES 64

/* What only a send, a fill or a read needs: kept out of the slots' array, so that a wake's scan of
 * 1,000 slots reads 32 KiB rather than 330 (about 30 us a wake before, on this project's VM). */
typedef struct {
  int64_t sent_ns;
  uint8_t *data;
  size_t length, capacity;
  uint8_t name[NAME_MAX_BYTES];
  socklen_t name_length;
  uint8_t control[CONTROL_MAX_BYTES] __attribute__((aligned(8)));
  size_t control_length;
  /* A repeating slot's interval (ns); whether its bytes carry an IPv4 header whose ID moves, and
   * the last ID used; adverts sent since JavaScript last read; the failed send's errno. */
  int64_t interval_ns;
  int patch_id;
  uint16_t ip_id;
  double repeat_sent;
  int failed_errno;
} cold_t;

/* A slot: what each wake's scan reads (its state, due time and a repeating slot's early window),
 * and the rest. */
typedef struct {
  int64_t due_ns, early_ns;
  int state;
  int fd;
  cold_t *c;
} slot_t;

/* How long after a repeating slot's due time the second thread sends it if the first has not
 * (ns): past the first's usual lateness (a realtime wake and a batch of sends, tens of
 * microseconds), short enough that an advert it sends is well under 2 ms late. */
#define COVER_NS 500000LL

/* A sending thread. The first sends the repeating slots and backstops JavaScript's adverts; the
 * second, when it runs, sends repeating slots the first has left COVER_NS past their due time. */
typedef struct {
  const char *name;
  int timer_fd, stop_fd;
  /* The timerfd's expiry (CLOCK_MONOTONIC ns), INT64_MAX when disarmed. */
  int64_t armed_ns;
  uv_thread_t thread;
  int running;
  /* Its thread ID (for the other's sched_setaffinity), and whether it got realtime priority. */
  pid_t tid;
  int realtime;
  /* Told when the thread is set up (its ID known; the second's priority and CPU set or not). */
  uv_sem_t ready;
  double sent, wakes;
} sender_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static slot_t *slots;
static size_t nslots;
static sender_t first = { .name = "advert-backstop", .timer_fd = -1, .stop_fd = -1, .armed_ns = INT64_MAX };
static sender_t second = { .name = "advert-cover", .timer_fd = -1, .stop_fd = -1, .armed_ns = INT64_MAX };
/* Written when a repeating slot's send fails (JavaScript watches it: backstopFailFd). */
static int fail_fd = -1;
/* Until when the JavaScript thread has shown it is alive (backstopLease): a repeating slot sends
 * only until then, so a thread that stops for good stops its masters' adverts, as keepalived's
 * stop when its one thread does; what falls due after the lease waits for the next renewal. */
static int64_t lease_ns = 0; /* read and written atomically: renewing it takes no lock */
static double error_count;
/* The first thread's CPUs before the second pinned it, given back when the second stops. */
static cpu_set_t first_cpus;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The earliest due time among the repeating slots, INT64_MAX when none repeats. Called with the lock held. */
static int64_t earliest_repeat(void) {
  int64_t at = INT64_MAX;
  if (now_ns() > __atomic_load_n(&lease_ns, __ATOMIC_RELAXED)) return at;
  for (size_t i = 0; i < nslots; i++)
    if (slots[i].state == SLOT_REPEAT && slots[i].due_ns < at) at = slots[i].due_ns;
  return at;
}

/* Arms the thread's timerfd for `at`, which the caller found to be its earliest wake, or disarms
 * it with INT64_MAX. Called with the lock held. */
static void arm_next(sender_t *t, int64_t at) {
  if (at == t->armed_ns) return;
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  if (at != INT64_MAX) {
    if (at < 1) at = 1;
    its.it_value.tv_sec = (time_t)(at / 1000000000LL);
    its.it_value.tv_nsec = (long)(at % 1000000000LL);
  }
  t->armed_ns = at;
  timerfd_settime(t->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* When the second thread is to wake for a repeating slot due at `due`. */
static int64_t cover_at(int64_t due) {
  return due == INT64_MAX ? INT64_MAX : due + COVER_NS;
}

/* Arms the second thread's timerfd for a repeating slot due at `due`, when it runs and is armed
 * for later (from this thread's CPU, until its next wake re-arms it from its own). Never later:
 * its own wakes move it on. Called with the lock held. */
static void arm_cover(int64_t due) {
  if (second.running && cover_at(due) < second.armed_ns) arm_next(&second, cover_at(due));
}

/* Arms the first thread's timerfd for `at` (absolute), or for the earliest repeating slot when
 * that comes first, or disarms it with INT64_MAX; the second's for the earliest repeating slot
 * when that is earlier (arm_cover). Called with the lock held. */
static void arm_at(int64_t at) {
  int64_t repeat = earliest_repeat();
  arm_next(&first, repeat < at ? repeat : at);
  arm_cover(repeat);
}

/* The earliest due time among the armed slots, INT64_MAX when none is. Called with the lock held. */
static int64_t earliest_armed(void) {
  int64_t at = INT64_MAX;
  for (size_t i = 0; i < nslots; i++)
    if (slots[i].state == SLOT_ARMED && slots[i].due_ns < at) at = slots[i].due_ns;
  return at;
}

/* Sends the slot's datagram on its fd (sendmsg's result). Called with the lock held. */
static ssize_t send_slot(slot_t *s) {
  struct iovec iov = { .iov_base = s->c->data, .iov_len = s->c->length };
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_name = s->c->name_length ? s->c->name : NULL;
  msg.msg_namelen = s->c->name_length;
  msg.msg_control = s->c->control_length ? s->c->control : NULL;
  msg.msg_controllen = s->c->control_length;
  return sendmsg(s->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* The next IPv4 ID (1 after 0xffff, as vrrp-io.ts counts) into the slot's header, and its checksum. */
static void next_ip_id(slot_t *s) {
  s->c->ip_id = s->c->ip_id >= 0xffff ? 1 : (uint16_t)(s->c->ip_id + 1);
  uint8_t *h = s->c->data;
  size_t header = (size_t)(h[0] & 0x0f) * 4;
  if (header > s->c->length) header = s->c->length;
  h[4] = (uint8_t)(s->c->ip_id >> 8);
  h[5] = (uint8_t)(s->c->ip_id & 0xff);
  h[10] = h[11] = 0;
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < header; i += 2) sum += (uint32_t)(h[i] << 8 | h[i + 1]);
  if (header & 1) sum += (uint32_t)(h[header - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  uint16_t check = (uint16_t)~sum;
  h[10] = (uint8_t)(check >> 8);
  h[11] = (uint8_t)(check & 0xff);
}

/* A repeating slot's advert, sent at the wake's time `now`; the next is due an interval after it.
 * A failed send stops the slot and tells JavaScript. 1 when it left. */
static int send_repeat(slot_t *s, int64_t now) {
  if (s->c->patch_id) next_ip_id(s);
  if (send_slot(s) >= 0) {
    s->c->repeat_sent++;
    s->due_ns = now + s->c->interval_ns;
    return 1;
  }
  s->c->failed_errno = errno;
  s->state = SLOT_FAILED;
  error_count++;
  uint64_t one = 1;
  if (write(fail_fd, &one, sizeof one) < 0) { /* the eventfd's count cannot overflow here */ }
  return 0;
}

/* The first thread: sends every armed slot that is due and every repeating one due within its
 * early window. The second: every repeating slot COVER_NS past its due time (the first has not
 * sent it). Then each arms its timerfd for the earliest one left. */
static void send_due(sender_t *t) {
  pthread_mutex_lock(&lock);
  t->wakes++;
  int covering = t == &second;
  int64_t now = now_ns();
  /* The earliest slot left, found in the same pass (1,000 repeating slots are a scan each wake). */
  int64_t next = INT64_MAX;
  /* Past the lease, repeating slots wait (and arm nothing): its renewal arms the timerfd again. */
  int leased = now <= __atomic_load_n(&lease_ns, __ATOMIC_RELAXED);
  for (size_t i = 0; i < nslots; i++) {
    slot_t *s = &slots[i];
    if (s->state == SLOT_REPEAT) {
      if (!leased) continue;
      if (covering ? cover_at(s->due_ns) <= now : s->due_ns <= now + s->early_ns) t->sent += send_repeat(s, now);
      if (s->state == SLOT_REPEAT && s->due_ns < next) next = s->due_ns;
      continue;
    }
    if (covering) continue;
    if (s->state == SLOT_ARMED && s->due_ns > now && s->due_ns < next) next = s->due_ns;
    if (s->state != SLOT_ARMED || s->due_ns > now) continue;
    int64_t at = now_ns();
    if (send_slot(s) >= 0) {
      s->state = SLOT_SENT;
      s->c->sent_ns = at;
      t->sent++;
    } else {
      /* JavaScript sends it when it comes to it, and reports the error then. */
      s->state = SLOT_IDLE;
      error_count++;
    }
  }
  arm_next(t, covering ? cover_at(next) : next);
  pthread_mutex_unlock(&lock);
}

/* Pins the first thread to the first CPU this thread may use and this thread (the second) to the
 * next: 1 when both are pinned, 0 when there is no second CPU or the kernel refuses. */
static int pin_pair(void) {
  cpu_set_t allowed, one;
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0;
  int cpus[2], n = 0;
  for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
    if (CPU_ISSET(c, &allowed)) cpus[n++] = c;
  if (n < 2 || sched_getaffinity(first.tid, sizeof first_cpus, &first_cpus) != 0) return 0;
  CPU_ZERO(&one);
  CPU_SET(cpus[1], &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0) return 0;
  CPU_ZERO(&one);
  CPU_SET(cpus[0], &one);
  return sched_setaffinity(first.tid, sizeof one, &one) == 0;
}

static void run(void *arg) {
  sender_t *t = arg;
  prctl(PR_SET_NAME, t->name); /* as `top -H` and /proc/PID/task/TID/comm show it */
  t->tid = (pid_t)syscall(SYS_gettid);
  /* The lowest realtime priority, where the process may (root, CAP_SYS_NICE): a thread that is to
   * send on time must not queue for a CPU behind the ones that hold the main thread up (V8's
   * collector runs on the main thread and on helper threads at once). It sleeps otherwise; what
   * it does when it wakes is bounded (a scan and a send per due slot). Without the right the
   * first stays an ordinary thread, and the second does not run (nor without a CPU of its own). */
  struct sched_param rt = { .sched_priority = 1 };
  t->realtime = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &rt) == 0;
  int go = t == &first || (t->realtime && pin_pair());
  if (!go) t->realtime = 0;
  uv_sem_post(&t->ready);
  if (!go) return;
  struct pollfd p[2] = { { .fd = t->timer_fd, .events = POLLIN, .revents = 0 }, { .fd = t->stop_fd, .events = POLLIN, .revents = 0 } };
  for (;;) {
    int n = poll(p, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || p[1].revents) break;
    if (p[0].revents & POLLIN) {
      /* Non-blocking: a re-arm between poll and read leaves nothing to read (EAGAIN), and the
       * slots that were due are sent all the same. */
      uint64_t expirations;
      if (read(t->timer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) continue;
      send_due(t);
    }
  }
}

/* Closes what start_sender opened. */
static void close_sender(sender_t *t) {
  if (t->timer_fd >= 0) close(t->timer_fd);
  if (t->stop_fd >= 0) close(t->stop_fd);
  t->timer_fd = t->stop_fd = -1;
  t->armed_ns = INT64_MAX;
}

/* Starts the sender's thread and waits until it is set up: 0, or an errno (ENOTSUP: the second
 * found no realtime priority or no second CPU, and ended). The caller marks it running, with the
 * lock held. */
static int start_sender(sender_t *t) {
  t->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (t->timer_fd < 0) return errno;
  t->stop_fd = eventfd(0, EFD_CLOEXEC);
  int err = t->stop_fd < 0 ? errno : -uv_sem_init(&t->ready, 0);
  if (err) {
    close_sender(t);
    return err;
  }
  /* The thread takes no signals: they stay with Node's threads (it inherits the mask it is
   * created with). libuv's thread and the process-wide sigprocmask keep the addon's glibc
   * symbols at 2.17 (pthread_create and pthread_sigmask are 2.34 and 2.32 symbols when built
   * against a newer glibc). */
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &old);
  err = -uv_thread_create(&t->thread, run, t);
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (!err) {
    uv_sem_wait(&t->ready);
    if (t == &second && !t->realtime) {
      uv_thread_join(&t->thread);
      err = ENOTSUP;
    }
  }
  uv_sem_destroy(&t->ready);
  if (err) close_sender(t);
  return err;
}

/* Stops the sender's thread (not with the lock held: it may be waiting for it). */
static void stop_sender(sender_t *t) {
  uint64_t one = 1;
  if (write(t->stop_fd, &one, sizeof one) == (ssize_t)sizeof one) uv_thread_join(&t->thread);
  close_sender(t);
}

/* Stops the second thread, if it runs, and gives the first its CPUs back. */
static void stop_cover(void) {
  pthread_mutex_lock(&lock);
  int was = second.running;
  second.running = 0; /* nothing arms its timer from now on */
  pthread_mutex_unlock(&lock);
  if (!was) return;
  stop_sender(&second);
  sched_setaffinity(first.tid, sizeof first_cpus, &first_cpus);
}

static void stop(void *arg) {
  (void)arg;
  stop_cover();
  if (!first.running) return;
  stop_sender(&first);
  first.running = 0;
  close(fail_fd);
  fail_fd = -1;
  for (size_t i = 0; i < nslots; i++) {
    if (slots[i].c) free(slots[i].c->data);
    free(slots[i].c);
  }
  free(slots);
  slots = NULL;
  nslots = 0;
}

/* Starts the first thread (once); 0, or an errno. Called with the lock held. */
static int start(napi_env env) {
  if (first.running) return 0;
  fail_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fail_fd < 0) return errno;
  int err = start_sender(&first);
  first.running = !err;
  if (err) {
    close(fail_fd);
    fail_fd = -1;
    return err;
  }
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
  if (!err && !slots[i].c && !(slots[i].c = calloc(1, sizeof *slots[i].c))) err = ENOMEM;
  if (!err) slots[i].state = SLOT_IDLE;
  pthread_mutex_unlock(&lock);
  return err ? fail_in(env, "backstopSlot", err) : number(env, (double)i);
}

/* A datagram as backstopArm and backstopRepeat take it: its bytes, sockaddr and control data. */
typedef struct {
  void *data, *name, *control;
  size_t length, name_length, control_length;
} datagram_t;

/* Reads (data, sockaddr | null, control | null) from argv[0..2]: 1 when they fit a slot. */
static int datagram_args(napi_env env, napi_value *argv, datagram_t *d) {
  d->data = buffer_arg(env, argv[0], &d->length);
  d->name = buffer_arg(env, argv[1], &d->name_length);
  d->control = buffer_arg(env, argv[2], &d->control_length);
  return d->data && d->length > 0 && d->name_length <= NAME_MAX_BYTES && d->control_length <= CONTROL_MAX_BYTES;
}

/* Copies the datagram into the slot, to go on `fd`, growing its buffer: 0 or ENOMEM. Called
 * with the lock held. */
static int fill_slot(slot_t *s, int fd, const datagram_t *d) {
  if (s->c->capacity < d->length) {
    uint8_t *bigger = realloc(s->c->data, d->length);
    if (!bigger) return ENOMEM;
    s->c->data = bigger;
    s->c->capacity = d->length;
  }
  memcpy(s->c->data, d->data, d->length);
  s->c->length = d->length;
  if (d->name_length) memcpy(s->c->name, d->name, d->name_length);
  s->c->name_length = (socklen_t)d->name_length;
  if (d->control_length) memcpy(s->c->control, d->control, d->control_length);
  s->c->control_length = d->control_length;
  s->fd = fd;
  return 0;
}

/* The slot, filled, becomes `state` (ARMED or REPEAT), due `ms` from now; without a guard (or with
 * a later one) its own due time wakes the thread. Called with the lock held. */
static void due_in(slot_t *s, int state, double ms) {
  s->due_ns = now_ns() + (int64_t)(ms * 1e6);
  s->state = state;
  /* Only ever earlier: arm_at may move the first's timer later than a wake it was set for. */
  if (s->due_ns < first.armed_ns) arm_at(s->due_ns);
  else if (state == SLOT_REPEAT) arm_cover(s->due_ns);
}

/* backstopArm(slot, fd, data, sockaddr | null, control | null, inMs): the slot holds this advert,
 * to be sent inMs from now unless taken back first. Replaces what the slot held. */
static napi_value js_arm(napi_env env, napi_callback_info info) {
  ARGS(6);
  datagram_t d;
  double ms = NAN;
  napi_get_value_double(env, argv[5], &ms);
  if (!datagram_args(env, argv + 2, &d) || !(ms >= 0) || isinf(ms)) return fail_in(env, "backstopArm", EINVAL);
  pthread_mutex_lock(&lock);
  slot_t *s = slot_arg(env, argv[0]);
  int err = s ? fill_slot(s, int_arg(env, argv[1]), &d) : EINVAL;
  if (!err) due_in(s, SLOT_ARMED, ms);
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
    if (s->state == SLOT_SENT) ago = (double)(now_ns() - s->c->sent_ns) / 1e6;
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
    if (slots[i].fd == fd && slots[i].state != SLOT_FREE) slots[i].state = SLOT_IDLE;
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
  if (first.running) arm_at(isinf(ms) ? earliest_armed() : now_ns() + (ms > 0 ? (int64_t)(ms * 1e6) : 0));
  pthread_mutex_unlock(&lock);
  return nothing(env);
}

/* backstopRepeat(slot, fd, data, sockaddr | null, control | null, firstInMs, intervalMs, earlyMs,
 * ipId): the slot sends this advert firstInMs from now and then every intervalMs, until read with
 * `end`; a wake sends it up to earlyMs before its due time (the precise timers' early window,
 * which JavaScript computes: adapters/linux/timerfd-timers.ts earlyWindowMs). ipId >= 0: data is
 * an IPv4 datagram whose ID was ipId last; each advert carries the next. -1: the bytes go out as
 * they are (IPv6). Replaces what the slot held; its count starts at zero. */
static napi_value js_repeat(napi_env env, napi_callback_info info) {
  ARGS(9);
  datagram_t d;
  double first = NAN, interval = NAN, early = NAN, id = NAN;
  napi_get_value_double(env, argv[5], &first);
  napi_get_value_double(env, argv[6], &interval);
  napi_get_value_double(env, argv[7], &early);
  napi_get_value_double(env, argv[8], &id);
  int patch = id >= 0;
  if (!datagram_args(env, argv + 2, &d) || !(first >= 0) || isinf(first) || !(interval > 0) || isinf(interval) || !(early >= 0) ||
      !(early < interval) || !(id >= -1 && id <= 0xffff) || (patch && d.length < 20))
    return fail_in(env, "backstopRepeat", EINVAL);
  pthread_mutex_lock(&lock);
  slot_t *s = slot_arg(env, argv[0]);
  int err = s ? fill_slot(s, int_arg(env, argv[1]), &d) : EINVAL;
  if (!err) {
    s->c->interval_ns = (int64_t)(interval * 1e6);
    s->early_ns = (int64_t)(early * 1e6);
    s->c->patch_id = patch;
    s->c->ip_id = patch ? (uint16_t)id : 0;
    s->c->repeat_sent = 0;
    s->c->failed_errno = 0;
    due_in(s, SLOT_REPEAT, first);
  }
  pthread_mutex_unlock(&lock);
  return err ? fail_in(env, "backstopRepeat", err) : nothing(env);
}

/* backstopRepeatRead(slot, end) -> [adverts sent since the last read, the last IPv4 ID, ms until
 * the next is due (0 once failed), the failed send's errno or 0]. With `end` the slot stops
 * repeating (it is empty afterwards). */
static napi_value js_repeat_read(napi_env env, napi_callback_info info) {
  ARGS(2);
  bool end = false;
  napi_get_value_bool(env, argv[1], &end);
  pthread_mutex_lock(&lock);
  slot_t *s = slot_arg(env, argv[0]);
  double sent = 0, id = 0, due = 0, failed = 0;
  if (s && (s->state == SLOT_REPEAT || s->state == SLOT_FAILED)) {
    sent = s->c->repeat_sent;
    s->c->repeat_sent = 0;
    id = s->c->ip_id;
    failed = s->c->failed_errno;
    if (s->state == SLOT_REPEAT) {
      int64_t left = s->due_ns - now_ns();
      due = left > 0 ? (double)left / 1e6 : 0;
    }
    if (end) s->state = SLOT_IDLE;
  }
  pthread_mutex_unlock(&lock);
  const double out[4] = { sent, id, due, failed };
  return numbers(env, out, 4);
}

/* backstopFailFd() -> the eventfd that turns readable when a repeating slot's send fails (the
 * thread is started if it was not). */
static napi_value js_fail_fd(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_mutex_lock(&lock);
  int err = start(env);
  int fd = fail_fd;
  pthread_mutex_unlock(&lock);
  return err ? fail_in(env, "backstopFailFd", err) : number(env, fd);
}

/* backstopFailed() -> the slots whose repeating send failed (read them with backstopRepeatRead);
 * the eventfd is drained. */
static napi_value js_failed(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_array(env, &out);
  pthread_mutex_lock(&lock);
  uint64_t count;
  if (fail_fd >= 0 && read(fail_fd, &count, sizeof count) < 0) { /* nothing was written */ }
  uint32_t n = 0;
  for (size_t i = 0; i < nslots; i++)
    if (slots[i].state == SLOT_FAILED) napi_set_element(env, out, n++, number(env, (double)i));
  pthread_mutex_unlock(&lock);
  return out;
}

/* backstopLease(ms): the JavaScript thread is alive; repeating slots send for ms more. */
static napi_value js_lease(napi_env env, napi_callback_info info) {
  ARGS(1);
  double ms = NAN;
  napi_get_value_double(env, argv[0], &ms);
  if (!(ms >= 0) || isinf(ms)) return fail_in(env, "backstopLease", EINVAL);
  int64_t now = now_ns();
  int64_t before = __atomic_exchange_n(&lease_ns, now + (int64_t)(ms * 1e6), __ATOMIC_RELAXED);
  /* A renewal in time takes no lock (the thread never waits for this one); after a lapse, the
   * repeating slots' due times arm the timerfd again. */
  if (before < now) {
    pthread_mutex_lock(&lock);
    if (first.running) arm_at(first.armed_ns);
    pthread_mutex_unlock(&lock);
  }
  return nothing(env);
}

/* backstopCover(on) -> whether the second thread now covers the first from another CPU. With
 * true it is started (and the first with it, if it was not) where the process has realtime
 * priority and a second CPU; with false it is stopped and the first may use every CPU again. */
/* A JavaScript boolean. */
static napi_value boolean(napi_env env, int x) {
  napi_value v;
  napi_get_boolean(env, x, &v);
  return v;
}

static napi_value js_cover(napi_env env, napi_callback_info info) {
  ARGS(1);
  bool on = false;
  if (napi_get_value_bool(env, argv[0], &on) != napi_ok) return fail_in(env, "backstopCover", EINVAL);
  if (!on) {
    stop_cover();
    return boolean(env, 0);
  }
  pthread_mutex_lock(&lock);
  int err = start(env);
  int was = second.running;
  pthread_mutex_unlock(&lock);
  if (err) return fail_in(env, "backstopCover", err);
  if (was) return boolean(env, 1);
  /* Without the lock: the new thread takes it once it waits for its timer. */
  err = start_sender(&second);
  if (err == ENOTSUP) return boolean(env, 0);
  if (err) return fail_in(env, "backstopCover", err);
  pthread_mutex_lock(&lock);
  second.running = 1;
  arm_cover(earliest_repeat());
  pthread_mutex_unlock(&lock);
  return boolean(env, 1);
}

/* backstopStats() -> [adverts the threads sent, the first's wake-ups, failed sends, 1 when the
 * first runs at realtime priority, adverts the second sent, its wake-ups, 1 when it runs] */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_mutex_lock(&lock);
  const double out[7] = { first.sent + second.sent, first.wakes, error_count, first.realtime, second.sent, second.wakes, second.running };
  pthread_mutex_unlock(&lock);
  return numbers(env, out, 7);
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
    { "backstopRepeat", NULL, js_repeat, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopRepeatRead", NULL, js_repeat_read, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopFailFd", NULL, js_fail_fd, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopFailed", NULL, js_failed, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopLease", NULL, js_lease, NULL, NULL, NULL, napi_enumerable, NULL },
    { "backstopCover", NULL, js_cover, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
}
