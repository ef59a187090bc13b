/*
 * A user-space fake /dev/video0 for tests, loaded with LD_PRELOAD.
 *
 * It intercepts the calls nokhwa's real V4L2 path makes (directory listing of /dev,
 * open/close, ioctl and syscall(SYS_ioctl), mmap/munmap) and answers them like a small
 * UVC webcam offering MJPEG and YUYV at 640x480 and 320x240, 30 and 15 fps, serving
 * frames from files the test prepared. Everything else goes to the real libc.
 *
 * Like a real camera it is shared between processes: any number of them may open it, but
 * the first to configure or stream (S_FMT, S_PARM, REQBUFS, STREAMON) holds it, and the
 * others get EBUSY for those until it closes (uvcvideo's "privileges"). Frames arrive at
 * the negotiated rate, optionally after a start-up delay and a few dark frames, as a
 * camera's do while its exposure settles.
 *
 * The device node is a real file, so that inotify sees every process open and close it:
 * the fake open opens it for real (the fd hunch gets is that file), inotify_add_watch on
 * /dev/video0 watches it instead, and readlink of /proc/PID/fd/N pointing at it answers
 * /dev/video0. Code using this library watches and scans /dev/video0 unchanged.
 *
 * Controlled through the directory named by HUNCH_FAKE_V4L2 (shared by every process
 * using the fake):
 *   present                 exists while the camera is plugged in (remove it to unplug)
 *   mjpg-WxH.jpg            the JPEG served for MJPEG frames at that size
 *   yuyv-WxH.raw            the raw YUYV 4:2:2 frame served at that size
 *   dark-mjpg-WxH.jpg, dark-yuyv-WxH.raw   served for the dark warm-up frames (optional)
 *   warmup                  optional, "STARTUP_MS DARK_FRAMES": the first frame after
 *                           STREAMON comes STARTUP_MS later, and the first DARK_FRAMES
 *                           frames are the dark ones (default "0 0")
 *   node                    the file standing in for /dev/video0 (created on first use)
 *   holder                  the pid of the process holding the camera, while one does
 *   log                     appended: one line per open, close, STREAMON, STREAMOFF, DQBUF
 *                           of this process's device
 *   timeline                appended by every process: "UNIX_MS PID what" for open,
 *                           close, streamon, streamoff, busy
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#define DEV_PATH "/dev/video0"
#define NBUF_MAX 8
#define BUF_SIZE (640 * 480 * 2 + 65536)

static int fake_fd = -1;
static uint32_t cur_w = 640, cur_h = 480, cur_fmt = V4L2_PIX_FMT_MJPEG, cur_fps = 30;
static unsigned nbufs = 0;
static void *bufs[NBUF_MAX];
static int queued[NBUF_MAX];
static uint32_t sequence = 0;
static int streaming = 0;
static DIR *dev_dir = NULL;
static int dev_dir_done = 0;
static struct timespec stream_start;
static int holding = 0;

static const char *ctl_dir(void) { return getenv("HUNCH_FAKE_V4L2"); }

static int real_open_(const char *p, int flags, mode_t m) {
    static int (*real_open)(const char *, int, ...) = NULL;
    if (!real_open) real_open = dlsym(RTLD_NEXT, "open");
    return real_open(p, flags, m);
}

static int ctl_path(char *out, size_t n, const char *name) {
    const char *d = ctl_dir();
    if (!d) return -1;
    snprintf(out, n, "%s/%s", d, name);
    return 0;
}

/* Appends "UNIX_MS PID what" to the shared timeline. */
static void timeline(const char *what) {
    char p[4096];
    if (ctl_path(p, sizeof p, "timeline")) return;
    int fd = real_open_(p, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char line[128];
    int n = snprintf(line, sizeof line, "%lld %d %s\n",
                     (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, (int)getpid(), what);
    if (write(fd, line, n) < 0) { /* best effort */ }
    close(fd);
}

/* ---- who holds the camera: the holder file ----------------------------------------- */
static int read_holder(void) {
    char p[4096];
    if (ctl_path(p, sizeof p, "holder")) return 0;
    int fd = real_open_(p, O_RDONLY, 0);
    if (fd < 0) return 0;
    char buf[32] = {0};
    if (read(fd, buf, sizeof buf - 1) < 0) buf[0] = 0;
    close(fd);
    return atoi(buf);
}

/* Takes the camera for this process (the first configuring or streaming ioctl). Fails
 * with EBUSY while another live process holds it. */
static int acquire(void) {
    if (holding) return 0;
    char p[4096];
    if (ctl_path(p, sizeof p, "holder")) return 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        int fd = real_open_(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd >= 0) {
            char buf[32];
            int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
            if (write(fd, buf, n) < 0) { /* best effort */ }
            close(fd);
            holding = 1;
            return 0;
        }
        int pid = read_holder();
        if (pid == (int)getpid()) { holding = 1; return 0; }
        if (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)) {
            timeline("busy");
            errno = EBUSY;
            return -1;
        }
        unlink(p); /* a holder that died without closing */
    }
    errno = EBUSY;
    return -1;
}

static void release_holder(void) {
    if (!holding) return;
    holding = 0;
    char p[4096];
    if (ctl_path(p, sizeof p, "holder")) return;
    if (read_holder() == (int)getpid()) unlink(p);
}

static int present(void) {
    const char *d = ctl_dir();
    if (!d) return 0;
    char p[4096];
    snprintf(p, sizeof p, "%s/present", d);
    struct stat st;
    return stat(p, &st) == 0;
}

static void logline(const char *what) {
    const char *d = ctl_dir();
    if (!d) return;
    char p[4096];
    snprintf(p, sizeof p, "%s/log", d);
    static int (*real_open)(const char *, int, ...) = NULL;
    if (!real_open) real_open = dlsym(RTLD_NEXT, "open");
    int fd = real_open(p, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) return;
    char line[256];
    int n = snprintf(line, sizeof line, "%s %ux%u %s\n", what, cur_w, cur_h,
                     cur_fmt == V4L2_PIX_FMT_MJPEG ? "MJPG" : "YUYV");
    if (write(fd, line, n) < 0) { /* best effort */ }
    close(fd);
}

/* ---- /dev listing: add video0 while present -------------------------------------- */
DIR *opendir(const char *name) {
    static DIR *(*real)(const char *) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "opendir");
    DIR *d = real(name);
    if (d && strcmp(name, "/dev") == 0) { dev_dir = d; dev_dir_done = 0; }
    return d;
}

static struct dirent64 fake_ent;
struct dirent64 *readdir64(DIR *d) {
    static struct dirent64 *(*real)(DIR *) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "readdir64");
    struct dirent64 *e = real(d);
    if (!e && d == dev_dir && !dev_dir_done && present()) {
        dev_dir_done = 1;
        memset(&fake_ent, 0, sizeof fake_ent);
        fake_ent.d_type = DT_CHR;
        fake_ent.d_reclen = sizeof fake_ent;
        strcpy(fake_ent.d_name, "video0");
        return &fake_ent;
    }
    return e;
}

/* ---- open / close ------------------------------------------------------------------ */
static int open_fake(void) {
    if (!present()) { errno = ENOENT; return -1; }
    if (fake_fd >= 0) { errno = EBUSY; return -1; } /* one open per process is all we fake */
    char p[4096];
    if (ctl_path(p, sizeof p, "node")) { errno = ENOENT; return -1; }
    /* The node file, opened for real: inotify sees it, /proc/PID/fd points at it, and
       poll() reports it ready. */
    fake_fd = real_open_(p, O_RDWR | O_CREAT, 0600);
    if (fake_fd < 0) return -1;
    nbufs = 0; streaming = 0; sequence = 0; holding = 0;
    logline("open");
    timeline("open");
    return fake_fd;
}

#define OPEN_WRAPPER(NAME)                                                         \
    int NAME(const char *path, int flags, ...) {                                   \
        static int (*real)(const char *, int, ...) = NULL;                         \
        if (!real) real = dlsym(RTLD_NEXT, #NAME);                                  \
        if (strcmp(path, DEV_PATH) == 0) return open_fake();                       \
        va_list ap; va_start(ap, flags); mode_t m = va_arg(ap, mode_t); va_end(ap);\
        return real(path, flags, m);                                               \
    }
OPEN_WRAPPER(open)
OPEN_WRAPPER(open64)

int close(int fd) {
    static int (*real)(int) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "close");
    if (fd >= 0 && fd == fake_fd) {
        logline("close");
        for (unsigned i = 0; i < nbufs; i++) { free(bufs[i]); bufs[i] = NULL; }
        nbufs = 0; streaming = 0; fake_fd = -1;
        release_holder();
        int r = real(fd);
        timeline("close");
        return r;
    }
    return real(fd);
}

/* ---- inotify and /proc: the node file stands in for /dev/video0 --------------------- */
int inotify_add_watch(int fd, const char *path, uint32_t mask) {
    static int (*real)(int, const char *, uint32_t) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "inotify_add_watch");
    if (ctl_dir() && strcmp(path, DEV_PATH) == 0) {
        if (!present()) { errno = ENOENT; return -1; }
        char p[4096];
        ctl_path(p, sizeof p, "node");
        int nfd = real_open_(p, O_WRONLY | O_CREAT, 0600); /* make sure it exists */
        if (nfd >= 0) {
            static int (*real_close)(int) = NULL;
            if (!real_close) real_close = dlsym(RTLD_NEXT, "close");
            real_close(nfd);
        }
        return real(fd, p, mask);
    }
    return real(fd, path, mask);
}

/* A link to the node file reads as /dev/video0. */
static ssize_t rewrite_link(char *buf, size_t size, ssize_t n) {
    char p[4096];
    if (n <= 0 || ctl_path(p, sizeof p, "node")) return n;
    size_t len = strlen(p);
    if ((size_t)n == len && strncmp(buf, p, len) == 0) {
        size_t dl = strlen(DEV_PATH);
        size_t c = dl < size ? dl : size;
        memcpy(buf, DEV_PATH, c);
        return (ssize_t)c;
    }
    return n;
}

ssize_t readlink(const char *path, char *buf, size_t size) {
    static ssize_t (*real)(const char *, char *, size_t) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "readlink");
    return rewrite_link(buf, size, real(path, buf, size));
}

ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t size) {
    static ssize_t (*real)(int, const char *, char *, size_t) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "readlinkat");
    return rewrite_link(buf, size, real(dirfd, path, buf, size));
}

/* ---- mmap -------------------------------------------------------------------------- */
static void *map_fake(size_t len, off_t off) {
    unsigned i = (unsigned)(off / BUF_SIZE);
    if (i >= nbufs || len > BUF_SIZE) { errno = EINVAL; return MAP_FAILED; }
    return bufs[i];
}

void *mmap(void *a, size_t len, int prot, int flags, int fd, off_t off) {
    static void *(*real)(void *, size_t, int, int, int, off_t) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "mmap");
    if (fd >= 0 && fd == fake_fd) return map_fake(len, off);
    return real(a, len, prot, flags, fd, off);
}
void *mmap64(void *a, size_t len, int prot, int flags, int fd, off_t off) {
    static void *(*real)(void *, size_t, int, int, int, off_t) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "mmap64");
    if (fd >= 0 && fd == fake_fd) return map_fake(len, off);
    return real(a, len, prot, flags, fd, off);
}
int munmap(void *a, size_t len) {
    static int (*real)(void *, size_t) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "munmap");
    for (unsigned i = 0; i < nbufs; i++) if (bufs[i] == a) return 0;
    return real(a, len);
}

/* ---- the device ------------------------------------------------------------------- */
static const uint32_t FMTS[2] = {V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_YUYV};
static const uint32_t SIZES[2][2] = {{640, 480}, {320, 240}};
static const uint32_t RATES[2] = {30, 15};

/* "STARTUP_MS DARK_FRAMES" from the warmup file (0 0 without one). */
static void warmup(long *startup_ms, long *dark) {
    *startup_ms = 0; *dark = 0;
    char p[4096];
    if (ctl_path(p, sizeof p, "warmup")) return;
    int fd = real_open_(p, O_RDONLY, 0);
    if (fd < 0) return;
    char buf[64] = {0};
    if (read(fd, buf, sizeof buf - 1) > 0) sscanf(buf, "%ld %ld", startup_ms, dark);
    close(fd);
}

static long fill_frame(void *dst, int dark) {
    const char *d = ctl_dir();
    char p[4096];
    const char *kind = cur_fmt == V4L2_PIX_FMT_MJPEG ? "mjpg" : "yuyv";
    const char *ext = cur_fmt == V4L2_PIX_FMT_MJPEG ? "jpg" : "raw";
    int fd = -1;
    if (dark) {
        snprintf(p, sizeof p, "%s/dark-%s-%ux%u.%s", d ? d : ".", kind, cur_w, cur_h, ext);
        fd = real_open_(p, O_RDONLY, 0);
    }
    if (fd < 0) {
        snprintf(p, sizeof p, "%s/%s-%ux%u.%s", d ? d : ".", kind, cur_w, cur_h, ext);
        fd = real_open_(p, O_RDONLY, 0);
    }
    if (fd < 0) return -1;
    long n = read(fd, dst, BUF_SIZE);
    close(fd);
    return n;
}

/* Waits until frame `seq` of the stream is due: STARTUP_MS after STREAMON, then one
   frame interval apart. */
static void wait_for_frame(uint32_t seq, long startup_ms) {
    uint32_t fps = cur_fps ? cur_fps : 30;
    long long due_ns = (long long)stream_start.tv_sec * 1000000000LL + stream_start.tv_nsec
                       + startup_ms * 1000000LL + (long long)seq * 1000000000LL / fps;
    struct timespec due = {.tv_sec = due_ns / 1000000000LL, .tv_nsec = due_ns % 1000000000LL};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR) {}
}

static int fake_ioctl(unsigned long req, void *arg) {
    if (!present()) { errno = ENODEV; return -1; }
    switch (req) {
    case VIDIOC_QUERYCAP: {
        struct v4l2_capability *c = arg;
        memset(c, 0, sizeof *c);
        strcpy((char *)c->driver, "hunch-fake");
        strcpy((char *)c->card, "Fake Webcam");
        strcpy((char *)c->bus_info, "usb-fake-1");
        c->version = 0x060100;
        c->capabilities = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING | V4L2_CAP_DEVICE_CAPS;
        c->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
        return 0;
    }
    case VIDIOC_ENUM_FMT: {
        struct v4l2_fmtdesc *f = arg;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || f->index > 1) { errno = EINVAL; return -1; }
        uint32_t i = f->index;
        memset(f, 0, sizeof *f);
        f->index = i;
        f->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        f->pixelformat = FMTS[i];
        f->flags = i == 0 ? V4L2_FMT_FLAG_COMPRESSED : 0;
        strcpy((char *)f->description, i == 0 ? "Motion-JPEG" : "YUYV 4:2:2");
        return 0;
    }
    case VIDIOC_ENUM_FRAMESIZES: {
        struct v4l2_frmsizeenum *s = arg;
        if (s->index > 1 || (s->pixel_format != FMTS[0] && s->pixel_format != FMTS[1])) { errno = EINVAL; return -1; }
        s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
        s->discrete.width = SIZES[s->index][0];
        s->discrete.height = SIZES[s->index][1];
        return 0;
    }
    case VIDIOC_ENUM_FRAMEINTERVALS: {
        struct v4l2_frmivalenum *v = arg;
        if (v->index > 1) { errno = EINVAL; return -1; }
        v->type = V4L2_FRMIVAL_TYPE_DISCRETE;
        v->discrete.numerator = 1;
        v->discrete.denominator = RATES[v->index];
        return 0;
    }
    case VIDIOC_G_FMT:
    case VIDIOC_S_FMT:
    case VIDIOC_TRY_FMT: {
        struct v4l2_format *f = arg;
        if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) { errno = EINVAL; return -1; }
        if (req != VIDIOC_G_FMT) {
            int ok = 0;
            for (int i = 0; i < 2; i++)
                if (f->fmt.pix.width == SIZES[i][0] && f->fmt.pix.height == SIZES[i][1]) ok = 1;
            if (!ok || (f->fmt.pix.pixelformat != FMTS[0] && f->fmt.pix.pixelformat != FMTS[1])) { errno = EINVAL; return -1; }
            if (req == VIDIOC_S_FMT) {
                if (streaming || acquire()) { errno = EBUSY; return -1; }
                cur_w = f->fmt.pix.width; cur_h = f->fmt.pix.height; cur_fmt = f->fmt.pix.pixelformat;
            }
        }
        uint32_t w = req == VIDIOC_G_FMT ? cur_w : f->fmt.pix.width;
        uint32_t h = req == VIDIOC_G_FMT ? cur_h : f->fmt.pix.height;
        uint32_t pf = req == VIDIOC_G_FMT ? cur_fmt : f->fmt.pix.pixelformat;
        memset(&f->fmt.pix, 0, sizeof f->fmt.pix);
        f->fmt.pix.width = w; f->fmt.pix.height = h; f->fmt.pix.pixelformat = pf;
        f->fmt.pix.field = V4L2_FIELD_NONE;
        f->fmt.pix.bytesperline = pf == V4L2_PIX_FMT_YUYV ? w * 2 : 0;
        f->fmt.pix.sizeimage = w * h * 2;
        f->fmt.pix.colorspace = V4L2_COLORSPACE_SRGB;
        return 0;
    }
    case VIDIOC_G_PARM:
    case VIDIOC_S_PARM: {
        struct v4l2_streamparm *p = arg;
        if (req == VIDIOC_S_PARM && acquire()) return -1;
        if (req == VIDIOC_S_PARM && p->parm.capture.timeperframe.numerator)
            cur_fps = p->parm.capture.timeperframe.denominator / p->parm.capture.timeperframe.numerator;
        memset(&p->parm, 0, sizeof p->parm);
        p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
        p->parm.capture.timeperframe.numerator = 1;
        p->parm.capture.timeperframe.denominator = cur_fps;
        return 0;
    }
    case VIDIOC_REQBUFS: {
        struct v4l2_requestbuffers *r = arg;
        if (r->memory != V4L2_MEMORY_MMAP) { errno = EINVAL; return -1; }
        if (acquire()) return -1;
        for (unsigned i = 0; i < nbufs; i++) { free(bufs[i]); bufs[i] = NULL; }
        nbufs = r->count > NBUF_MAX ? NBUF_MAX : r->count;
        for (unsigned i = 0; i < nbufs; i++) { bufs[i] = calloc(1, BUF_SIZE); queued[i] = 0; }
        r->count = nbufs;
        if (nbufs == 0) release_holder(); /* freeing the buffers gives the camera up */
        return 0;
    }
    case VIDIOC_QUERYBUF: {
        struct v4l2_buffer *b = arg;
        if (b->index >= nbufs) { errno = EINVAL; return -1; }
        b->length = BUF_SIZE;
        b->m.offset = b->index * BUF_SIZE;
        b->flags = queued[b->index] ? V4L2_BUF_FLAG_QUEUED : 0;
        return 0;
    }
    case VIDIOC_QBUF: {
        struct v4l2_buffer *b = arg;
        if (b->index >= nbufs) { errno = EINVAL; return -1; }
        queued[b->index] = 1;
        return 0;
    }
    case VIDIOC_DQBUF: {
        struct v4l2_buffer *b = arg;
        long startup_ms, dark;
        warmup(&startup_ms, &dark);
        for (unsigned i = 0; i < nbufs; i++) {
            if (!queued[i]) continue;
            wait_for_frame(sequence, startup_ms);
            long n = fill_frame(bufs[i], sequence < (uint32_t)dark);
            if (n <= 0) { errno = EIO; return -1; }
            queued[i] = 0;
            b->index = i;
            b->bytesused = (uint32_t)n;
            b->length = BUF_SIZE;
            b->field = V4L2_FIELD_NONE;
            b->sequence = sequence++;
            b->flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_DONE;
            gettimeofday(&b->timestamp, NULL);
            logline("dqbuf");
            return 0;
        }
        errno = EAGAIN;
        return -1;
    }
    case VIDIOC_STREAMON:
        if (acquire()) return -1;
        streaming = 1; sequence = 0;
        clock_gettime(CLOCK_MONOTONIC, &stream_start);
        logline("streamon"); timeline("streamon");
        return 0;
    case VIDIOC_STREAMOFF: streaming = 0; for (unsigned i = 0; i < nbufs; i++) queued[i] = 0; logline("streamoff"); timeline("streamoff"); return 0;
    default:
        errno = EINVAL; /* no controls, no inputs: like many cheap webcams */
        return -1;
    }
}

int ioctl(int fd, unsigned long req, ...) {
    va_list ap; va_start(ap, req); void *arg = va_arg(ap, void *); va_end(ap);
    if (fd >= 0 && fd == fake_fd) return fake_ioctl(req, arg);
    static int (*real)(int, unsigned long, ...) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "ioctl");
    return real(fd, req, arg);
}

long syscall(long nr, ...) {
    va_list ap; va_start(ap, nr);
    long a1 = va_arg(ap, long), a2 = va_arg(ap, long), a3 = va_arg(ap, long);
    long a4 = va_arg(ap, long), a5 = va_arg(ap, long), a6 = va_arg(ap, long);
    va_end(ap);
    if (nr == SYS_ioctl && (int)a1 >= 0 && (int)a1 == fake_fd)
        return fake_ioctl((unsigned long)a2, (void *)a3);
    static long (*real)(long, ...) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "syscall");
    return real(nr, a1, a2, a3, a4, a5, a6);
}
