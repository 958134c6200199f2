/* verdict.c - a signature's confidence from its counts.  See verdict.h. */
#include "verdict.h"

bool verdict_repeated(uint64_t connections)
{
	return connections >= 2;
}

double verdict_confidence(const struct sig_basis *b)
{
	double c = b->top;
	if (b->repetition) {
		if (verdict_repeated(b->connections)) c += VERDICT_REPEAT_BONUS;
		if (b->answered) c += VERDICT_ANSWERED_BONUS;
		/* nothing in the capture was answered: a one-sided capture (or a
		 * dead network) shows no dropping by anyone */
		else if (b->peak_hour < VERDICT_DENSE_HOUR && c > VERDICT_UNANSWERED_CAP)
			c = VERDICT_UNANSWERED_CAP;
		/* one unanswered connection is one server that did not answer
		 * (down, overloaded, a proxy whose back end failed): blackholing
		 * is credible only when it repeats */
		if (!verdict_repeated(b->connections) && c > VERDICT_UNANSWERED_CAP)
			c = VERDICT_UNANSWERED_CAP;
	}
	if (c < 0) c = 0;
	if (c > 1) c = 1;
	return (double)(int)(c * 100 + 0.5) / 100;
}

const char *verdict_of(const struct dest_basis *b, double min_conf)
{
	if (b->signatures && b->top + 1e-9 >= min_conf) return "interfered";
	bool traffic = b->tcp_connections > b->tcp_inconclusive + b->tcp_asymmetric ||
	               b->dns_responses > 0 || b->udp_answered > 0;
	return b->signatures || !traffic ? "inconclusive" : "clean";
}
