/* Times asn1c APER decode (batches of 1,000, freed outside the timing; decode+free too) and encode
   into a reused buffer of the NGAP vectors for benchmarks/codec-speed.bench.ts (issue 22); built by
   benchmarks/peers/build.sh. Each PDU is first re-encoded byte-exact or the program stops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "NGAP-PDU.h"

static double cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static size_t readhex(const char *path, unsigned char *out) {
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); exit(1); }
  size_t n = 0; int hi = -1; int c;
  while ((c = fgetc(f)) != EOF) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;
    if (hi < 0) hi = v; else { out[n++] = (unsigned char)(hi * 16 + v); hi = -1; }
  }
  fclose(f);
  return n;
}

#define BATCH 1000
#define CALLS 20000
static void *pdus[BATCH];

int main(int argc, char **argv) {
  const char *dir = argv[1];
  const char *names[] = {"NGSetupRequest", "InitialUEMessage", "UEContextReleaseCommand"};
  const char *files[] = {"ngap_ngsetuprequest.hex", "ngap_initialuemessage_regreq.hex", "ngap_uecontextreleasecommand.hex"};
  int rounds = 5;
  unsigned char in[3][512]; size_t len[3]; void *dec[3];
  unsigned char out[4096];
  double bd[3], bdf[3], be[3];
  for (int j = 0; j < 3; j++) {
    char p[1024]; snprintf(p, sizeof p, "%s/%s", dir, files[j]);
    len[j] = readhex(p, in[j]);
    dec[j] = 0;
    asn_dec_rval_t r = aper_decode(0, &asn_DEF_NGAP_PDU, &dec[j], in[j], len[j], 0, 0);
    if (r.code != RC_OK) { fprintf(stderr, "asn1c: cannot decode %s\n", names[j]); return 1; }
    asn_enc_rval_t e = aper_encode_to_buffer(&asn_DEF_NGAP_PDU, 0, dec[j], out, sizeof out);
    size_t n = (e.encoded + 7) / 8;
    if (e.encoded < 0 || n != len[j] || memcmp(out, in[j], n)) { fprintf(stderr, "asn1c: %s not byte-exact\n", names[j]); return 1; }
    bd[j] = bdf[j] = be[j] = 1e18;
  }
  for (int r = -1; r < rounds; r++) {
    for (int j = 0; j < 3; j++) {
      double t = 0, tf = 0;
      for (int b = 0; b < CALLS / BATCH; b++) {
        double t0 = cpu_ns();
        for (int i = 0; i < BATCH; i++) { pdus[i] = 0; aper_decode(0, &asn_DEF_NGAP_PDU, &pdus[i], in[j], len[j], 0, 0); }
        double t1 = cpu_ns();
        for (int i = 0; i < BATCH; i++) ASN_STRUCT_FREE(asn_DEF_NGAP_PDU, pdus[i]);
        double t2 = cpu_ns();
        t += t1 - t0; tf += t2 - t0;
      }
      if (r >= 0 && t / CALLS < bd[j]) bd[j] = t / CALLS;
      if (r >= 0 && tf / CALLS < bdf[j]) bdf[j] = tf / CALLS;
      double t0 = cpu_ns();
      for (int i = 0; i < CALLS; i++) aper_encode_to_buffer(&asn_DEF_NGAP_PDU, 0, dec[j], out, sizeof out);
      double e = (cpu_ns() - t0) / CALLS;
      if (r >= 0 && e < be[j]) be[j] = e;
    }
  }
  printf("{");
  for (int j = 0; j < 3; j++)
    printf("%s\"ngap decode %s\":%.1f,\"ngap decode+free %s\":%.1f,\"ngap encode %s\":%.1f", j ? "," : "", names[j], bd[j], names[j], bdf[j], names[j], be[j]);
  printf("}\n");
  return 0;
}
