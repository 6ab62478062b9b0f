#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>

// libmicrohttpd passes each message to its logger as a printf format and a va_list, which
// Swift cannot read, so the shim formats the message and hands the finished text on.
typedef void (*cmhd_message_callback)(void *context, const char *message);

struct cmhd_logger {
    cmhd_message_callback callback;
    void *context;
};

static inline void cmhd_forward_message(void *logger, const char *format, va_list arguments) {
    // libmicrohttpd writes one short line per message, so a longer one is only truncated.
    char text[1024];
    vsnprintf(text, sizeof text, format, arguments);
    const struct cmhd_logger *target = (const struct cmhd_logger *)logger;
    target->callback(target->context, text);
}

// MHD_start_daemon and MHD_get_daemon_info are variadic, so Swift needs fixed-arity wrappers.
// `logger` receives every message of the daemon and must stay valid until it has stopped. It
// comes first, because MHD reports problems with the options that follow through it.
static inline struct MHD_Daemon *cmhd_start(
    unsigned int flags, uint16_t port, MHD_AccessHandlerCallback handler, void *handler_context,
    MHD_RequestCompletedCallback completed, void *completed_context, unsigned int thread_pool_size,
    unsigned int connection_timeout_seconds, const struct sockaddr *bind_address,
    struct cmhd_logger *logger) {
    if (thread_pool_size > 1) {
        return MHD_start_daemon(
            flags, port, NULL, NULL, handler, handler_context,
            MHD_OPTION_EXTERNAL_LOGGER, cmhd_forward_message, logger,
            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
            MHD_OPTION_THREAD_POOL_SIZE, thread_pool_size,
            MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
            MHD_OPTION_SOCK_ADDR, bind_address,
            MHD_OPTION_END);
    }
    return MHD_start_daemon(
        flags, port, NULL, NULL, handler, handler_context,
        MHD_OPTION_EXTERNAL_LOGGER, cmhd_forward_message, logger,
        MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
        MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
        MHD_OPTION_SOCK_ADDR, bind_address,
        MHD_OPTION_END);
}

static inline uint16_t cmhd_bound_port(struct MHD_Daemon *d) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}
