/* This file is part of wxsidecar.
 * SPDX-License-Identifier: Apache-2.0
 *
 * The libcurl floor: what libcurl alone costs per upstream call, measured the way the sidecar drives it (one multi
 * handle on one thread, curl_multi_poll, reused easy handles and connections) but with nothing else around it: no
 * HTTP front, no Swift, no hand-off between threads. Each of `concurrency` easy handles POSTs the same 1 KB
 * msg_sec_check call to the bench upstream again as soon as its previous call completes; options are set once
 * per handle. Prints one JSON line: transfers per second and CPU time (user + system) per transfer.
 *
 *   floor URL CA_FILE BODY CONCURRENCY SECONDS [poll|socket]
 *
 * `socket` drives the same transfers with curl_multi_socket_action from an epoll loop instead of curl_multi_poll
 * (tried for the sidecar's driver: it costs more; see BENCHMARKS.md).
 *
 * Built and run by Benchmarks/bench.sh (cc floor.c -O2 -lcurl); its figure bounds what the sidecar's libcurl thread
 * can reach on this machine.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t count, void *context) {
    (void)data;
    (void)context;
    return size * count;
}

static int epoll_fd;
static long timer_ms = -1;

/* CURLMOPT_SOCKETFUNCTION: keep the epoll set in step with what libcurl waits for. */
static int on_socket(CURL *easy, curl_socket_t socket, int what, void *context, void *socket_context) {
    (void)easy;
    (void)context;
    (void)socket_context;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, socket, NULL);
        return 0;
    }
    struct epoll_event event = {0};
    event.data.fd = socket;
    event.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, socket, &event) != 0) epoll_ctl(epoll_fd, EPOLL_CTL_ADD, socket, &event);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: when libcurl next needs a timeout call. */
static int on_timer(CURLM *multi, long milliseconds, void *context) {
    (void)multi;
    (void)context;
    timer_ms = milliseconds;
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: floor URL CA_FILE BODY CONCURRENCY SECONDS [poll|socket]\n");
        return 2;
    }
    const char *url = argv[1], *ca = argv[2], *body = argv[3];
    int concurrency = atoi(argv[4]);
    double seconds = atof(argv[5]);
    int socket_mode = argc == 7 && strcmp(argv[6], "socket") == 0;
    epoll_fd = epoll_create1(0);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 32L);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 64L);
    if (socket_mode) {
        curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
    }
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    headers = curl_slist_append(headers, "Accept:");
    for (int i = 0; i < concurrency; i++) {
        CURL *easy = curl_easy_init();
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_CAINFO, ca);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
        curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
        curl_multi_add_handle(multi, easy);
    }
    long done = 0, failed = 0;
    double warmup = 1.0, start = now(), measuring_since = 0, cpu_start = 0;
    int measuring = 0;
    for (;;) {
        int running = 0, queued = 0;
        if (socket_mode) {
            struct epoll_event events[64];
            int ready = epoll_wait(epoll_fd, events, 64, timer_ms < 0 ? 1000 : (int)timer_ms);
            if (ready <= 0) curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
            for (int i = 0; i < ready; i++) {
                int flags = (events[i].events & EPOLLIN ? CURL_CSELECT_IN : 0)
                    | (events[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0)
                    | (events[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
                curl_multi_socket_action(multi, events[i].data.fd, flags, &running);
            }
        } else {
            curl_multi_perform(multi, &running);
        }
        CURLMsg *message;
        while ((message = curl_multi_info_read(multi, &queued))) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            long status = 0;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            if (message->data.result != CURLE_OK || status != 200) failed++;
            curl_multi_remove_handle(multi, easy);
            if (measuring) done++;
            curl_multi_add_handle(multi, easy);
        }
        double t = now();
        if (!measuring && t - start >= warmup) {
            measuring = 1;
            measuring_since = t;
            cpu_start = cpu_seconds();
        }
        if (measuring && t - measuring_since >= seconds) break;
        if (!socket_mode) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    double elapsed = now() - measuring_since, cpu = cpu_seconds() - cpu_start;
    printf("{\"transfers\":%ld,\"failed\":%ld,\"seconds\":%.3f,\"per_second\":%.0f,\"cpu_us_per_transfer\":%.1f,"
           "\"curl\":\"%s\"}\n",
           done, failed, elapsed, done / elapsed, done ? cpu * 1e6 / done : 0.0, curl_version_info(CURLVERSION_NOW)->version);
    return failed ? 1 : 0;
}
