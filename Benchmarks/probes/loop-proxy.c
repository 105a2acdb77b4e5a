/* This file is part of wxsidecar.
 * SPDX-License-Identifier: Apache-2.0
 *
 * A probe, not a product: the smallest proxy built the way the peer is (each worker thread does whole requests:
 * it reads the caller's request, drives its own libcurl multi handle from the same epoll loop with
 * curl_multi_socket_action, and writes the answer), to measure what that shape gives on this machine against the
 * peer, with none of the sidecar's own work. HTTP/1.1 keep-alive POSTs with Content-Length only; every request goes
 * to the one upstream URL given; the answer is 200 with the upstream's body. No error answers: a failed transfer
 * closes the caller's connection.
 *
 * With `handoff` it is built the way the sidecar is instead: one thread reads callers and writes answers, a second
 * drives the one multi handle with curl_multi_poll, and every call crosses between them both ways (a locked queue,
 * curl_multi_wakeup one way, an eventfd the other, each only when the queue was empty): the sidecar's hand-off in C,
 * with none of its own work.
 *
 *   loop-proxy PORT UPSTREAM_URL CA_FILE WORKERS
 *   loop-proxy PORT UPSTREAM_URL CA_FILE 1 handoff
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *upstream_url, *ca_file;
static int port;

struct worker;
struct conn {
    int fd;
    CURLcode result;
    struct conn *next;
    struct worker *worker;
    CURL *easy;
    char in[8192];
    size_t in_len;
    char *out;
    size_t out_len, out_cap;
    int busy, closing;
};

struct worker {
    int epoll_fd;
    CURLM *multi;
    long timer_ms;
    double timer_set_at;
    /* handoff mode: calls queued for the libcurl thread, and answers queued back, each under `lock` */
    int handoff, done_fd;
    pthread_mutex_t lock;
    struct conn *submitted, *done;
};

/* Pushes onto a queue under the lock; returns whether it was empty (the other side must then be woken). */
static int push(struct worker *w, struct conn **queue, struct conn *c) {
    pthread_mutex_lock(&w->lock);
    int was_empty = *queue == NULL;
    c->next = *queue;
    *queue = c;
    pthread_mutex_unlock(&w->lock);
    return was_empty;
}

static struct conn *take(struct worker *w, struct conn **queue) {
    pthread_mutex_lock(&w->lock);
    struct conn *all = *queue;
    *queue = NULL;
    pthread_mutex_unlock(&w->lock);
    return all;
}

/* epoll data: a connection pointer, or a libcurl socket tagged with the top bit. */
#define CURL_TAG (1ULL << 63)

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *context, void *socket_context) {
    (void)easy;
    (void)socket_context;
    struct worker *w = context;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, s, NULL);
        return 0;
    }
    struct epoll_event event = {0};
    event.data.u64 = CURL_TAG | (uint64_t)s;
    event.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    if (epoll_ctl(w->epoll_fd, EPOLL_CTL_MOD, s, &event) != 0) epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, s, &event);
    return 0;
}

static int on_timer(CURLM *multi, long milliseconds, void *context) {
    (void)multi;
    struct worker *w = context;
    w->timer_ms = milliseconds;
    w->timer_set_at = now_ms();
    return 0;
}

static size_t on_body(char *data, size_t size, size_t count, void *context) {
    struct conn *c = context;
    size_t n = size * count;
    if (c->out_len + n > c->out_cap) {
        c->out_cap = (c->out_len + n) * 2 + 256;
        c->out = realloc(c->out, c->out_cap);
    }
    memcpy(c->out + c->out_len, data, n);
    c->out_len += n;
    return n;
}

static void close_conn(struct conn *c) {
    if (c->busy) curl_multi_remove_handle(c->worker->multi, c->easy);
    curl_easy_cleanup(c->easy);
    close(c->fd);
    free(c->out);
    free(c);
}

/* Starts the next request in the buffer, if a whole one has arrived. */
static void try_start(struct conn *c) {
    if (c->busy) return;
    char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end) return;
    size_t head = (size_t)(end - c->in) + 4, length = 0;
    for (char *line = strstr(c->in, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "content-length:", 15) == 0) length = strtoul(line + 17, NULL, 10);
    }
    if (c->in_len < head + length) return;
    c->out_len = 0;
    curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE, (long)length);
    curl_easy_setopt(c->easy, CURLOPT_COPYPOSTFIELDS, c->in + head);
    memmove(c->in, c->in + head + length, c->in_len - head - length);
    c->in_len -= head + length;
    c->busy = 1;
    if (c->worker->handoff) {
        if (push(c->worker, &c->worker->submitted, c)) curl_multi_wakeup(c->worker->multi);
    } else {
        curl_multi_add_handle(c->worker->multi, c->easy);
    }
}

static void drain_completions(struct worker *w);

static void answer(struct worker *w, struct conn *c, CURLcode result) {
    c->busy = 0;
    if (c->closing) { /* the caller left while the libcurl thread had its call */
        close_conn(c);
        return;
    }
    if (result != CURLE_OK) {
        epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
        close_conn(c);
        return;
    }
    char head[160];
    int n = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     c->out_len);
    struct iovec parts[2] = {{head, (size_t)n}, {c->out, c->out_len}};
    struct msghdr message = {.msg_iov = parts, .msg_iovlen = 2};
    if (sendmsg(c->fd, &message, MSG_NOSIGNAL) < 0) { /* the caller went away; its read will see it */ }
    try_start(c);
}

static void finish(struct worker *w, CURL *easy, CURLcode result) {
    struct conn *c;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
    curl_multi_remove_handle(w->multi, easy);
    if (!w->handoff) {
        answer(w, c, result);
        return;
    }
    c->result = result;
    if (push(w, &w->done, c)) {
        uint64_t one = 1;
        if (write(w->done_fd, &one, sizeof one) < 0) perror("loop-proxy: eventfd");
    }
}

/* handoff mode: the libcurl thread. */
static void *run_curl(void *context) {
    struct worker *w = context;
    for (;;) {
        for (struct conn *c = take(w, &w->submitted); c; c = c->next) curl_multi_add_handle(w->multi, c->easy);
        int running;
        curl_multi_perform(w->multi, &running);
        drain_completions(w);
        curl_multi_poll(w->multi, NULL, 0, 1000, NULL);
    }
    return NULL;
}

static void drain_completions(struct worker *w) {
    CURLMsg *message;
    int queued;
    while ((message = curl_multi_info_read(w->multi, &queued)))
        if (message->msg == CURLMSG_DONE) finish(w, message->easy_handle, message->data.result);
}

static void accept_all(struct worker *w, int listener) {
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        c->fd = fd;
        c->worker = w;
        c->easy = curl_easy_init();
        curl_easy_setopt(c->easy, CURLOPT_URL, upstream_url);
        curl_easy_setopt(c->easy, CURLOPT_CAINFO, ca_file);
        curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c->easy, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
        curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
        static struct curl_slist *headers;
        if (!headers) {
            headers = curl_slist_append(NULL, "Content-Type: application/json");
            headers = curl_slist_append(headers, "Expect:");
            headers = curl_slist_append(headers, "Accept:");
        }
        curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, headers);
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, fd, &event);
    }
}

static int handoff_mode;

static void *run_worker(void *unused) {
    (void)unused;
    struct worker w = {.epoll_fd = epoll_create1(0), .multi = curl_multi_init(), .timer_ms = -1};
    curl_multi_setopt(w.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 32L);
    if (handoff_mode) {
        w.handoff = 1;
        w.done_fd = eventfd(0, EFD_NONBLOCK);
        pthread_mutex_init(&w.lock, NULL);
        struct epoll_event done = {.events = EPOLLIN, .data.u64 = CURL_TAG | (1ULL << 62)};
        epoll_ctl(w.epoll_fd, EPOLL_CTL_ADD, w.done_fd, &done);
        pthread_t curl_thread;
        pthread_create(&curl_thread, NULL, run_curl, &w);
    } else {
        curl_multi_setopt(w.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(w.multi, CURLMOPT_SOCKETDATA, &w);
        curl_multi_setopt(w.multi, CURLMOPT_TIMERFUNCTION, on_timer);
        curl_multi_setopt(w.multi, CURLMOPT_TIMERDATA, &w);
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001)};
    if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 4096)) {
        perror("loop-proxy: bind");
        exit(1);
    }
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(w.epoll_fd, EPOLL_CTL_ADD, listener, &event);
    for (;;) {
        int timeout = -1;
        if (w.timer_ms >= 0) {
            double left = w.timer_set_at + w.timer_ms - now_ms();
            timeout = left <= 0 ? 0 : (int)left + 1;
        }
        struct epoll_event events[128];
        int ready = epoll_wait(w.epoll_fd, events, 128, timeout);
        int running;
        for (int i = 0; i < ready; i++) {
            uint64_t data = events[i].data.u64;
            if (data == (CURL_TAG | (1ULL << 62))) {
                uint64_t count;
                if (read(w.done_fd, &count, sizeof count) < 0) { /* spurious */ }
                for (struct conn *c = take(&w, &w.done), *next; c; c = next) {
                    next = c->next;
                    answer(&w, c, c->result);
                }
            } else if (data & CURL_TAG) {
                int flags = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                            (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                            (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
                curl_multi_socket_action(w.multi, (curl_socket_t)(data & ~CURL_TAG), flags, &running);
            } else if (events[i].data.ptr == NULL) {
                accept_all(&w, listener);
            } else {
                struct conn *c = events[i].data.ptr;
                ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
                if (n <= 0 && !(n < 0 && errno == EAGAIN)) {
                    epoll_ctl(w.epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
                    if (w.handoff && c->busy) c->closing = 1; /* freed when its answer comes back */
                    else close_conn(c);
                    continue;
                }
                if (n > 0) c->in_len += (size_t)n;
                try_start(c);
            }
        }
        if (w.handoff) continue;
        if (w.timer_ms >= 0 && now_ms() >= w.timer_set_at + w.timer_ms) {
            w.timer_ms = -1;
            curl_multi_socket_action(w.multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        drain_completions(&w);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5 && !(argc == 6 && strcmp(argv[5], "handoff") == 0)) {
        fprintf(stderr, "usage: loop-proxy PORT UPSTREAM_URL CA_FILE WORKERS [handoff]\n");
        return 2;
    }
    handoff_mode = argc == 6;
    port = atoi(argv[1]);
    upstream_url = argv[2];
    ca_file = argv[3];
    int workers = atoi(argv[4]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t threads[64];
    for (int i = 0; i < workers && i < 64; i++) pthread_create(&threads[i], NULL, run_worker, NULL);
    pthread_join(threads[0], NULL);
    return 0;
}
