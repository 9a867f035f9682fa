internal import CLibPQ
import Glibc

extension PostgresConnection {
    /// Waits up to `timeout` seconds for a notification on a channel this connection LISTENs to,
    /// and drains every notification already queued.
    ///
    /// - Returns: true when at least one notification arrived. A notification is a hint that
    ///   something changed, never a guarantee: callers also poll.
    public func waitForNotification(timeout: Double) throws(PostgresError) -> Bool {
        if self.drainNotifications() { return true }
        let socket = PQsocket(self.handle)
        guard socket >= 0 else { throw self.connectionError(sql: "LISTEN") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, timeout) * 1000))
        guard ready > 0 else { return false }
        guard PQconsumeInput(self.handle) == 1 else { throw self.connectionError(sql: "LISTEN") }
        return self.drainNotifications()
    }

    private func drainNotifications() -> Bool {
        var any = false
        while let notification = PQnotifies(self.handle) {
            any = true
            PQfreemem(notification)
        }
        return any
    }
}
