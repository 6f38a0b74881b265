/*
 * accept-server.c - the real servers of the LVS checker bench: listens on 0.0.0.0 at ports
 * FIRST..LAST, accepts every connection and closes it at once, and prints `conns N` once a
 * second (connections accepted in that second). Written in C so that thousands of TCP_CHECK
 * probes a second cost the (shared, loaded) machine little and never overflow an accept queue,
 * which a JavaScript server did: its queue filled and the checkers' SYNs were dropped.
 *
 * Build: gcc -O2 -o accept-server accept-server.c   (the bench builds it into a temp dir)
 * Usage: accept-server FIRST LAST
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 1024

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s FIRST LAST\n", argv[0]);
		return 2;
	}
	int first = atoi(argv[1]), last = atoi(argv[2]);
	int n = last - first + 1;
	if (n < 1 || n > MAX_PORTS) {
		fprintf(stderr, "port range must hold 1..%d ports\n", MAX_PORTS);
		return 2;
	}
	struct pollfd fds[MAX_PORTS];
	for (int i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		int one = 1;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(first + i), .sin_addr = { htonl(INADDR_ANY) } };
		if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 4096) < 0) {
			perror("listen");
			return 1;
		}
		fds[i].fd = s;
		fds[i].events = POLLIN;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("listening %d\n", first);
	long accepted = 0;
	struct timespec mark;
	clock_gettime(CLOCK_MONOTONIC, &mark);
	for (;;) {
		int r = poll(fds, n, 100);
		if (r < 0 && errno != EINTR)
			return 1;
		for (int i = 0; r > 0 && i < n; i++) {
			if (!(fds[i].revents & POLLIN))
				continue;
			for (;;) {
				int c = accept(fds[i].fd, NULL, NULL);
				if (c < 0)
					break;
				close(c);
				accepted++;
			}
		}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > mark.tv_sec || (now.tv_sec == mark.tv_sec + 1 && now.tv_nsec >= mark.tv_nsec)) {
			if ((now.tv_sec - mark.tv_sec) * 1000000000L + (now.tv_nsec - mark.tv_nsec) >= 1000000000L) {
				printf("conns %ld\n", accepted);
				accepted = 0;
				mark = now;
			}
		}
	}
}
