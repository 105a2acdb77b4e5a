// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0
//
// stuckfs: a FUSE file system for tests that can be made to hang, the way a dead NFS server or a wedged
// network volume hangs the processes that touch it. It passes every operation through to a backing directory,
// with the kernel's caches off so every operation reaches it.
//
//   stuckfs BACKING_DIR MOUNTPOINT        (foreground; prints "stuckfs: mounted" once serving; SIGTERM unmounts)
//
// To make it hang, stop it (SIGSTOP): every new operation on the mount then waits in the kernel for an answer
// that does not come, until SIGCONT. A process waiting so can still be killed (its request was never read),
// as with an NFS server that stopped answering. (A server that reads a request and never answers leaves the
// caller in an uninterruptible wait that no signal ends: no program can leave that, so the tests do not.)
//
// Built by scripts/test-tools.sh for Tests/ReliabilityTests/StuckFileSystemTests.swift.

#define FUSE_USE_VERSION 312
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int backing = -1;

/// The backing path for a FUSE path ("/" is the backing directory itself).
static const char *rel(const char *path) { return path[1] ? path + 1 : "."; }

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
    (void)conn;
    cfg->use_ino = 1;
    cfg->entry_timeout = 0;
    cfg->attr_timeout = 0;
    cfg->negative_timeout = 0;
    cfg->direct_io = 1;
    return NULL;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    int r = fi ? fstat((int)fi->fh, st) : fstatat(backing, rel(path), st, AT_SYMLINK_NOFOLLOW);
    return r == -1 ? -errno : 0;
}

static int fs_readlink(const char *path, char *buf, size_t size) {
    ssize_t n = readlinkat(backing, rel(path), buf, size - 1);
    if (n == -1) return -errno;
    buf[n] = 0;
    return 0;
}

static int fs_opendir(const char *path, struct fuse_file_info *fi) {
    int fd = openat(backing, rel(path), O_RDONLY | O_DIRECTORY);
    if (fd == -1) return -errno;
    fi->fh = (uint64_t)fd;
    return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags) {
    (void)path; (void)offset; (void)flags;
    int fd = dup((int)fi->fh);
    DIR *dir = fdopendir(fd);
    if (!dir) return -errno;
    rewinddir(dir);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        struct stat st = {.st_ino = entry->d_ino, .st_mode = (mode_t)entry->d_type << 12};
        if (filler(buf, entry->d_name, &st, 0, 0)) break;
    }
    closedir(dir);
    return 0;
}

static int fs_releasedir(const char *path, struct fuse_file_info *fi) {
    (void)path;
    close((int)fi->fh);
    return 0;
}

static int fs_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
    (void)path; (void)datasync;
    return fsync((int)fi->fh) == -1 ? -errno : 0;
}

static int fs_mkdir(const char *path, mode_t mode) {
    return mkdirat(backing, rel(path), mode) == -1 ? -errno : 0;
}

static int fs_unlink(const char *path) {
    return unlinkat(backing, rel(path), 0) == -1 ? -errno : 0;
}

static int fs_rmdir(const char *path) {
    return unlinkat(backing, rel(path), AT_REMOVEDIR) == -1 ? -errno : 0;
}

static int fs_symlink(const char *target, const char *path) {
    return symlinkat(target, backing, rel(path)) == -1 ? -errno : 0;
}

static int fs_rename(const char *from, const char *to, unsigned int flags) {
    return renameat2(backing, rel(from), backing, rel(to), flags) == -1 ? -errno : 0;
}

static int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
    int r = fi ? fchmod((int)fi->fh, mode) : fchmodat(backing, rel(path), mode, 0);
    return r == -1 ? -errno : 0;
}

static int fs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
    int r = fi ? fchown((int)fi->fh, uid, gid) : fchownat(backing, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
    return r == -1 ? -errno : 0;
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    int r;
    if (fi) {
        r = ftruncate((int)fi->fh, size);
    } else {
        int fd = openat(backing, rel(path), O_WRONLY);
        if (fd == -1) return -errno;
        r = ftruncate(fd, size);
        close(fd);
    }
    return r == -1 ? -errno : 0;
}

static int fs_utimens(const char *path, const struct timespec ts[2], struct fuse_file_info *fi) {
    int r = fi ? futimens((int)fi->fh, ts) : utimensat(backing, rel(path), ts, AT_SYMLINK_NOFOLLOW);
    return r == -1 ? -errno : 0;
}

static int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
    int fd = openat(backing, rel(path), fi->flags & ~O_NOFOLLOW, mode);
    if (fd == -1) return -errno;
    fi->fh = (uint64_t)fd;
    return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi) {
    int fd = openat(backing, rel(path), fi->flags & ~(O_NOFOLLOW | O_CREAT | O_EXCL));
    if (fd == -1) return -errno;
    fi->fh = (uint64_t)fd;
    return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi) {
    (void)path;
    ssize_t n = pread((int)fi->fh, buf, size, offset);
    return n == -1 ? -errno : (int)n;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t offset, struct fuse_file_info *fi) {
    (void)path;
    ssize_t n = pwrite((int)fi->fh, buf, size, offset);
    return n == -1 ? -errno : (int)n;
}

static int fs_flush(const char *path, struct fuse_file_info *fi) {
    (void)path; (void)fi;
    return 0;
}

static int fs_release(const char *path, struct fuse_file_info *fi) {
    (void)path;
    close((int)fi->fh);
    return 0;
}

static int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    (void)path; (void)datasync;
    return fsync((int)fi->fh) == -1 ? -errno : 0;
}

static int fs_statfs(const char *path, struct statvfs *st) {
    (void)path;
    return fstatvfs(backing, st) == -1 ? -errno : 0;
}

static const struct fuse_operations operations = {
    .init = fs_init,
    .getattr = fs_getattr,
    .readlink = fs_readlink,
    .opendir = fs_opendir,
    .readdir = fs_readdir,
    .releasedir = fs_releasedir,
    .fsyncdir = fs_fsyncdir,
    .mkdir = fs_mkdir,
    .unlink = fs_unlink,
    .rmdir = fs_rmdir,
    .symlink = fs_symlink,
    .rename = fs_rename,
    .chmod = fs_chmod,
    .chown = fs_chown,
    .truncate = fs_truncate,
    .utimens = fs_utimens,
    .create = fs_create,
    .open = fs_open,
    .read = fs_read,
    .write = fs_write,
    .flush = fs_flush,
    .release = fs_release,
    .fsync = fs_fsync,
    .statfs = fs_statfs,
};

int main(int argc, char *argv[]) {
    if (argc != 3) {
        fprintf(stderr, "usage: stuckfs BACKING_DIR MOUNTPOINT\n");
        return 2;
    }
    backing = open(argv[1], O_RDONLY | O_DIRECTORY);
    if (backing == -1) {
        perror("stuckfs: backing directory");
        return 1;
    }
    umask(0);
    // default_permissions: the kernel checks modes as for any file system; allow_other: users other than the
    // mounting one may look too.
    char *args[] = {argv[0], "-o", "default_permissions,allow_other,fsname=stuckfs,subtype=stuckfs", NULL};
    struct fuse_args fargs = FUSE_ARGS_INIT(3, args);
    struct fuse *fuse = fuse_new(&fargs, &operations, sizeof(operations), NULL);
    if (!fuse) return 1;
    if (fuse_mount(fuse, argv[2]) != 0) {
        fuse_destroy(fuse);
        return 1;
    }
    fuse_set_signal_handlers(fuse_get_session(fuse));
    printf("stuckfs: mounted\n");
    fflush(stdout);
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(config, 64);
    int result = fuse_loop_mt(fuse, config);
    fuse_loop_cfg_destroy(config);
    fuse_remove_signal_handlers(fuse_get_session(fuse));
    fuse_unmount(fuse);
    fuse_destroy(fuse);
    return result ? 1 : 0;
}
