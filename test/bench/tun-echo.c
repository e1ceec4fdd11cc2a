/* The reference for the tun echo figure: the same loop as tun-echo.ts on a real Linux TUN.
 * Creates a tun (IFF_TUN | IFF_NO_PI), gives it 10.8.0.2 peer 10.8.0.1 and brings it up with the
 * same ioctls, then writes an ICMP echo request from 10.8.0.1 and reads the kernel's reply,
 * N times. Prints round trips per second. Run it in a network namespace of its own. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint16_t checksum(const uint8_t *p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1) s += (uint32_t)(p[n - 1] << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint16_t)~s;
}

static void set_addr(int s, const char *name, unsigned long req, const char *addr) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
  sin->sin_family = AF_INET;
  inet_pton(AF_INET, addr, &sin->sin_addr);
  if (ioctl(s, req, &ifr) < 0) { perror("ioctl addr"); exit(1); }
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: tun-echo PAYLOAD ROUNDTRIPS\n"); return 2; }
  int payload = atoi(argv[1]);
  long n = atol(argv[2]);
  int fd = open("/dev/net/tun", O_RDWR);
  if (fd < 0) { perror("/dev/net/tun"); return 1; }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); return 1; }
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  set_addr(s, ifr.ifr_name, SIOCSIFADDR, "10.8.0.2");
  set_addr(s, ifr.ifr_name, SIOCSIFDSTADDR, "10.8.0.1");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) { perror("SIOCGIFFLAGS"); return 1; }
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) { perror("SIOCSIFFLAGS"); return 1; }

  /* The request tun-echo.ts builds: IPv4 (ttl 64, ident 1), ICMP echo (ident 1, seq 1), zeros. */
  int len = 20 + 8 + payload;
  uint8_t *req = calloc(1, len), *buf = malloc(65536);
  req[0] = 0x45; req[2] = len >> 8; req[3] = len & 0xff; req[5] = 1; req[8] = 64; req[9] = 1;
  inet_pton(AF_INET, "10.8.0.1", req + 12);
  inet_pton(AF_INET, "10.8.0.2", req + 16);
  uint16_t c = checksum(req, 20); req[10] = c >> 8; req[11] = c & 0xff;
  uint8_t *icmp = req + 20;
  icmp[0] = 8; icmp[5] = 1; icmp[7] = 1;
  c = checksum(icmp, 8 + payload); icmp[2] = c >> 8; icmp[3] = c & 0xff;

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++) {
    if (write(fd, req, len) != len) { perror("write"); return 1; }
    /* Skip anything else the kernel sends (an IPv6 router solicitation has no address here, but be safe). */
    for (;;) {
      ssize_t r = read(fd, buf, 65536);
      if (r < 0) { perror("read"); return 1; }
      if (r == len && buf[9] == 1 && buf[20] == 0) break;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s_ = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.0f\n", n / s_);
  return 0;
}
