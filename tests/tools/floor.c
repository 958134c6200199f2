/* floor.c - the libpcap floor for the benchmark (issue #7): open a capture
 * and run a bare pcap_next_ex() loop, counting packets, captured bytes and
 * on-the-wire bytes.  Nothing else touches the packets, so its time is the
 * least any libpcap-based reader can take on the same file.
 *
 *   floor FILE          prints "packets N caplen_bytes B wire_bytes W"
 */
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t n = 0, cap = 0, wire = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FILE.pcap\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "floor: %s\n", errbuf);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		n++;
		cap += h->caplen;
		wire += h->len;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("packets %llu caplen_bytes %llu wire_bytes %llu\n",
	       (unsigned long long)n, (unsigned long long)cap,
	       (unsigned long long)wire);
	return 0;
}
