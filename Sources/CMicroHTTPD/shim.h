#include <microhttpd.h>

// MHD_start_daemon and MHD_get_daemon_info are variadic, so Swift needs fixed-arity wrappers.
static inline struct MHD_Daemon *cmhd_start(
    unsigned int flags, uint16_t port, MHD_AccessHandlerCallback handler, void *handler_context,
    MHD_RequestCompletedCallback completed, void *completed_context, unsigned int thread_pool_size,
    unsigned int connection_timeout_seconds, const struct sockaddr *bind_address) {
    if (thread_pool_size > 1) {
        return MHD_start_daemon(
            flags, port, NULL, NULL, handler, handler_context,
            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
            MHD_OPTION_THREAD_POOL_SIZE, thread_pool_size,
            MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
            MHD_OPTION_SOCK_ADDR, bind_address,
            MHD_OPTION_END);
    }
    return MHD_start_daemon(
        flags, port, NULL, NULL, handler, handler_context,
        MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
        MHD_OPTION_CONNECTION_TIMEOUT, connection_timeout_seconds,
        MHD_OPTION_SOCK_ADDR, bind_address,
        MHD_OPTION_END);
}

static inline uint16_t cmhd_bound_port(struct MHD_Daemon *d) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}
