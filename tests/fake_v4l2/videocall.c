/*
 * "Another app" for the camera-sharing tests: opens /dev/video0 and streams it for a
 * while, the way a video-call client does (open, S_FMT, REQBUFS, mmap, STREAMON, DQBUF
 * in a loop, close). Run it with the same LD_PRELOAD and HUNCH_FAKE_V4L2 as hunch, so
 * both use the one fake camera.
 *
 *   videocall SECONDS [OPEN_DELAY_MS]
 *
 * Prints "open" once the device is open, "streaming" once STREAMON succeeded (stdout,
 * flushed), and "frames N" at the end. If the camera is busy it prints "busy: WHAT" and
 * exits 3; other failures exit 1. OPEN_DELAY_MS waits between open and the first
 * configuring ioctl, as clients that enumerate before they stream do.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int fail(const char *what) {
    if (errno == EBUSY) {
        printf("busy: %s\n", what);
        fflush(stdout);
        return 3;
    }
    fprintf(stderr, "videocall: %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 5.0;
    long delay_ms = argc > 2 ? atol(argv[2]) : 0;
    int fd = open("/dev/video0", O_RDWR);
    if (fd < 0) return fail("open");
    printf("open\n");
    fflush(stdout);
    if (delay_ms > 0) usleep((useconds_t)delay_ms * 1000);

    struct v4l2_format f;
    memset(&f, 0, sizeof f);
    f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    f.fmt.pix.width = 640;
    f.fmt.pix.height = 480;
    f.fmt.pix.pixelformat = V4L2_PIX_FMT_MJPEG;
    if (ioctl(fd, VIDIOC_S_FMT, &f) < 0) return fail("S_FMT");

    struct v4l2_requestbuffers r;
    memset(&r, 0, sizeof r);
    r.count = 2;
    r.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    r.memory = V4L2_MEMORY_MMAP;
    if (ioctl(fd, VIDIOC_REQBUFS, &r) < 0) return fail("REQBUFS");
    for (unsigned i = 0; i < r.count; i++) {
        struct v4l2_buffer b;
        memset(&b, 0, sizeof b);
        b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b.memory = V4L2_MEMORY_MMAP;
        b.index = i;
        if (ioctl(fd, VIDIOC_QUERYBUF, &b) < 0) return fail("QUERYBUF");
        if (mmap(NULL, b.length, PROT_READ, MAP_SHARED, fd, b.m.offset) == MAP_FAILED)
            return fail("mmap");
        if (ioctl(fd, VIDIOC_QBUF, &b) < 0) return fail("QBUF");
    }
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (ioctl(fd, VIDIOC_STREAMON, &type) < 0) return fail("STREAMON");
    printf("streaming\n");
    fflush(stdout);

    long frames = 0;
    double end = now() + seconds;
    while (now() < end) {
        struct v4l2_buffer b;
        memset(&b, 0, sizeof b);
        b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b.memory = V4L2_MEMORY_MMAP;
        if (ioctl(fd, VIDIOC_DQBUF, &b) < 0) return fail("DQBUF");
        frames++;
        if (ioctl(fd, VIDIOC_QBUF, &b) < 0) return fail("QBUF");
    }
    ioctl(fd, VIDIOC_STREAMOFF, &type);
    close(fd);
    printf("frames %ld\n", frames);
    return 0;
}
