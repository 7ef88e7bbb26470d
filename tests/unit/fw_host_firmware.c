/*
 * The firmware's framed protocol handler, model runner, layer profile and
 * stack paint compiled into the unit tests, over the host port of
 * tests/fuzz/fw_host_port.c and its tiny model, so test_fw_invoke.c can
 * hold the firmware's own answers to requests (the unit build takes only
 * tests/unit/ and the host library, so the firmware files come in here).
 */
#include "../fuzz/fw_host_port.c"
#include "../../target-fw/core/stack_paint.c"
#include "../../target-fw/core/layer_profile.c"
#include "../../target-fw/core/model_runner.c"
#include "../../target-fw/core/protocol_handler.c"
#include "../fuzz/fw_host_model.c"
