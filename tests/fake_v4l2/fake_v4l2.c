/*
 * A user-space fake /dev/video0 for tests, loaded with LD_PRELOAD.
 *
 * It intercepts the calls nokhwa's real V4L2 path makes (directory listing of /dev,
 * open/close, ioctl and syscall(SYS_ioctl), mmap/munmap) and answers them like a small
 * UVC webcam offering MJPEG and YUYV at 640x480 and 320x240, 30 and 15 fps, serving
 * frames from files the test prepared. Everything else goes to the real libc.
 *
 * Controlled through the directory named by HUNCH_FAKE_V4L2:
 *   present                 exists while the camera is plugged in (remove it to unplug)
 *   mjpg-WxH.jpg            the JPEG served for MJPEG frames at that size
 *   yuyv-WxH.raw            the raw YUYV 4:2:2 frame served at that size
 *   log                     appended: one line per open, close, STREAMON, STREAMOFF, DQBUF
 */
#define _GNU_SOURCE
#include <dirent.h>
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

static const char *ctl_dir(void) { return getenv("HUNCH_FAKE_V4L2"); }

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
    if (fake_fd >= 0) { errno = EBUSY; return -1; }
    static int (*real_open)(const char *, int, ...) = NULL;
    if (!real_open) real_open = dlsym(RTLD_NEXT, "open");
    /* A real fd that poll() reports ready, standing in for the device. */
    fake_fd = real_open("/dev/null", O_RDWR);
    nbufs = 0; streaming = 0; sequence = 0;
    logline("open");
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
    }
    return real(fd);
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

static long fill_frame(void *dst) {
    const char *d = ctl_dir();
    char p[4096];
    snprintf(p, sizeof p, "%s/%s-%ux%u.%s", d ? d : ".",
             cur_fmt == V4L2_PIX_FMT_MJPEG ? "mjpg" : "yuyv", cur_w, cur_h,
             cur_fmt == V4L2_PIX_FMT_MJPEG ? "jpg" : "raw");
    static int (*real_open)(const char *, int, ...) = NULL;
    if (!real_open) real_open = dlsym(RTLD_NEXT, "open");
    int fd = real_open(p, O_RDONLY);
    if (fd < 0) return -1;
    long n = read(fd, dst, BUF_SIZE);
    close(fd);
    return n;
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
                if (streaming) { errno = EBUSY; return -1; }
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
        for (unsigned i = 0; i < nbufs; i++) { free(bufs[i]); bufs[i] = NULL; }
        nbufs = r->count > NBUF_MAX ? NBUF_MAX : r->count;
        for (unsigned i = 0; i < nbufs; i++) { bufs[i] = calloc(1, BUF_SIZE); queued[i] = 0; }
        r->count = nbufs;
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
        for (unsigned i = 0; i < nbufs; i++) {
            if (!queued[i]) continue;
            long n = fill_frame(bufs[i]);
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
    case VIDIOC_STREAMON: streaming = 1; logline("streamon"); return 0;
    case VIDIOC_STREAMOFF: streaming = 0; for (unsigned i = 0; i < nbufs; i++) queued[i] = 0; logline("streamoff"); return 0;
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
