/*
 * The load generator and targets of bench/l4-bench.sh: small, single-threaded, epoll, loopback only.
 * Python is far too slow to drive a proxy at rate; this costs a few µs per message on the load CPU.
 *
 *   l4-load tcp-echo-server PORT          echo every byte back
 *   l4-load tcp-source-server PORT        send zeros to every connection as fast as it takes them
 *   l4-load udp-echo-server PORT          send every datagram back to its sender
 *   l4-load tcp-echo PORT CONNS SECONDS SIZE
 *       CONNS connections, each: send SIZE bytes, wait for all SIZE back, again. Prints one line:
 *       messages=N seconds=S p50_us=X p99_us=Y errors=E
 *   l4-load tcp-bulk PORT SECONDS         one connection, read for SECONDS: bytes=N seconds=S errors=E cpu_s=C
 *   l4-load udp-echo PORT CLIENTS SECONDS SIZE
 *       CLIENTS sockets (one proxy session each), each: send one datagram, wait for its reply (resent after
 *       200 ms, counted as lost). Prints: datagrams=N seconds=S p50_us=X p99_us=Y lost=L
 *
 * Build: gcc -O2 -o l4-load l4-load.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define HIST_US 200000 /* latency histogram: 1 µs buckets up to 200 ms, the rest in the last one */

static uint64_t hist[HIST_US + 1];

static void die(const char *what) { perror(what); exit(2); }

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void record(double seconds) {
    long us = (long)(seconds * 1e6);
    hist[us < 0 ? 0 : us > HIST_US ? HIST_US : us]++;
}

static long percentile(uint64_t total, double p) {
    uint64_t want = (uint64_t)(total * p), seen = 0;
    for (long i = 0; i <= HIST_US; i++) {
        seen += hist[i];
        if (seen > want) return i;
    }
    return HIST_US;
}

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static void nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static int listener(int type, int port) {
    int fd = socket(AF_INET, type, 0), one = 1;
    struct sockaddr_in a = loopback(port);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (type == SOCK_STREAM && listen(fd, 4096) < 0) die("listen");
    return fd;
}

static int tcp_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = loopback(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void add(int ep, int fd, uint32_t events) {
    struct epoll_event e = {.events = events, .data.fd = fd};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0) die("epoll_ctl");
}

/* tcp-echo-server and tcp-source-server: one loop; the source writes whenever a socket is writable. */
static void tcp_server(int port, int source) {
    static char buf[256 * 1024];
    int lfd = listener(SOCK_STREAM, port), ep = epoll_create1(0), one = 1;
    struct epoll_event ev[MAX_EVENTS];
    add(ep, lfd, EPOLLIN);
    for (;;) {
        int n = epoll_wait(ep, ev, MAX_EVENTS, -1);
        for (int i = 0; i < n; i++) {
            int fd = ev[i].data.fd;
            if (fd == lfd) {
                int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
                if (c < 0) continue;
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                add(ep, c, source ? EPOLLOUT : EPOLLIN);
            } else if (source) {
                if (send(fd, buf, sizeof buf, MSG_NOSIGNAL) < 0 && errno != EAGAIN) close(fd);
            } else {
                ssize_t r = read(fd, buf, sizeof buf);
                if (r <= 0) { if (r == 0 || errno != EAGAIN) close(fd); continue; }
                for (ssize_t off = 0; off < r;) { /* small messages: a partial write is rare, finish it */
                    ssize_t w = send(fd, buf + off, r - off, MSG_NOSIGNAL);
                    if (w < 0 && errno != EAGAIN) { close(fd); break; }
                    if (w > 0) off += w;
                }
            }
        }
    }
}

static void udp_echo_server(int port) {
    static char buf[65536];
    int fd = listener(SOCK_DGRAM, port);
    for (;;) {
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (r >= 0) sendto(fd, buf, r, 0, (struct sockaddr *)&from, len);
    }
}

struct conn { int fd; size_t got; double sent_at; };

static void tcp_echo(int port, int conns, double seconds, int size) {
    char *msg = calloc(1, size), *buf = malloc(65536);
    struct conn *c = calloc(conns, sizeof *c);
    int ep = epoll_create1(0);
    uint64_t messages = 0, errors = 0;
    struct epoll_event ev[MAX_EVENTS];
    memset(msg, 'm', size);
    for (int i = 0; i < conns; i++) {
        c[i].fd = tcp_connect(port);
        nonblocking(c[i].fd);
        struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &e) < 0) die("epoll_ctl");
    }
    double start = now_s(), end = start + seconds;
    for (int i = 0; i < conns; i++) {
        c[i].sent_at = now_s();
        if (send(c[i].fd, msg, size, MSG_NOSIGNAL) != size) errors++;
    }
    while (now_s() < end) {
        int n = epoll_wait(ep, ev, MAX_EVENTS, 100);
        for (int k = 0; k < n; k++) {
            struct conn *x = &c[ev[k].data.u32];
            ssize_t r = read(x->fd, buf, 65536);
            if (r <= 0) { if (r == 0 || errno != EAGAIN) { errors++; epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL); } continue; }
            x->got += r;
            if (x->got < (size_t)size) continue;
            double t = now_s();
            record(t - x->sent_at);
            messages++;
            x->got -= size;
            x->sent_at = t;
            if (send(x->fd, msg, size, MSG_NOSIGNAL) != size) errors++;
        }
    }
    double took = now_s() - start;
    printf("messages=%lu seconds=%.3f p50_us=%ld p99_us=%ld errors=%lu\n", (unsigned long)messages, took,
           percentile(messages, 0.50), percentile(messages, 0.99), (unsigned long)errors);
}

static void tcp_bulk(int port, double seconds) {
    static char buf[256 * 1024];
    int fd = tcp_connect(port);
    struct timeval tv = {.tv_sec = 1};
    uint64_t bytes = 0, errors = 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    double start = now_s(), end = start + seconds;
    while (now_s() < end) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0) { errors++; break; }
        bytes += r;
    }
    struct rusage ru; /* the reader's own CPU: on loopback it pays for what the proxy's sends leave it to do */
    getrusage(RUSAGE_SELF, &ru);
    printf("bytes=%lu seconds=%.3f errors=%lu cpu_s=%.3f\n", (unsigned long)bytes, now_s() - start, (unsigned long)errors,
           ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
}

static void udp_echo(int port, int clients, double seconds, int size) {
    char *msg = calloc(1, size), buf[65536];
    double *sent_at = calloc(clients, sizeof *sent_at);
    int *fds = calloc(clients, sizeof *fds), ep = epoll_create1(0);
    uint64_t datagrams = 0, lost = 0;
    struct epoll_event ev[MAX_EVENTS];
    struct sockaddr_in a = loopback(port);
    memset(msg, 'd', size);
    for (int i = 0; i < clients; i++) {
        fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (connect(fds[i], (struct sockaddr *)&a, sizeof a) < 0) die("connect udp");
        struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e) < 0) die("epoll_ctl");
    }
    double start = now_s(), end = start + seconds, next_scan = start + 0.05;
    for (int i = 0; i < clients; i++) { sent_at[i] = now_s(); send(fds[i], msg, size, 0); }
    for (double t = start; t < end; t = now_s()) {
        int n = epoll_wait(ep, ev, MAX_EVENTS, 20);
        for (int k = 0; k < n; k++) {
            int i = ev[k].data.u32;
            while (recv(fds[i], buf, sizeof buf, 0) > 0) {
                double r = now_s();
                record(r - sent_at[i]);
                datagrams++;
                sent_at[i] = r;
                send(fds[i], msg, size, 0);
            }
        }
        if (t >= next_scan) { /* a datagram (or its reply) lost: count it, send again */
            next_scan = t + 0.05;
            for (int i = 0; i < clients; i++) {
                if (t - sent_at[i] > 0.2) { lost++; sent_at[i] = t; send(fds[i], msg, size, 0); }
            }
        }
    }
    printf("datagrams=%lu seconds=%.3f p50_us=%ld p99_us=%ld lost=%lu\n", (unsigned long)datagrams, now_s() - start,
           percentile(datagrams, 0.50), percentile(datagrams, 0.99), (unsigned long)lost);
}

int main(int argc, char **argv) {
    const char *m = argc > 2 ? argv[1] : "";
    int port = argc > 2 ? atoi(argv[2]) : 0;
    if (!strcmp(m, "tcp-echo-server")) tcp_server(port, 0);
    else if (!strcmp(m, "tcp-source-server")) tcp_server(port, 1);
    else if (!strcmp(m, "udp-echo-server")) udp_echo_server(port);
    else if (!strcmp(m, "tcp-echo") && argc == 6) tcp_echo(port, atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
    else if (!strcmp(m, "tcp-bulk") && argc == 4) tcp_bulk(port, atof(argv[3]));
    else if (!strcmp(m, "udp-echo") && argc == 6) udp_echo(port, atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
    else { fprintf(stderr, "usage: see the top of l4-load.c\n"); return 64; }
    return 0;
}
