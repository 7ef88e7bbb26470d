/* A suite's energy part (energy_measure.h, energy_measure_batches): after a
 * variant's samples, timed batches of the last sample with the meter on. */
#include "run/energy_measure.h"

#include "messages.h"
#include "util/error.h"

int energy_measure_batches(const struct energy_measure_options *options,
			   const struct board_profile *board, struct session *session,
			   uint32_t runs, double counter_scale, const char *trace_path,
			   struct energy_measurement *record)
{
	struct energy_measure *meter = NULL;
	uint32_t done = 0;
	int status = energy_measure_begin(options, board, record, &meter);

	while (status == HB_OK && done < runs) {
		struct msg_invoke_reply reply;
		const uint32_t batch = energy_measure_batch_size(runs, done, PROTO_MAX_RUNS);

		hb_info("  energy: invoking %u runs with the meter on (%u/%u done)", batch, done,
			runs);
		status = session_invoke(session, (uint16_t)batch, 0, &reply);
		if (status == HB_OK)
			status = energy_measure_batch(meter, reply.ticks, reply.runs, counter_scale,
						      board->clock_hz);
		done += batch;
	}
	if (status == HB_OK)
		status = energy_measure_finish(meter, trace_path);
	energy_measure_close(meter);
	return status;
}
