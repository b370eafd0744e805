/// Something registered with an `EventLoop` for a descriptor's readiness events.
///
/// Why a protocol: the loop only delivers bits; what readiness means (accept a batch, read a
/// request, finish a write) belongs to the listener and the connection.
protocol EventLoopHandler: AnyObject {
    /// Called on the loop with the `IOEvent` bits that fired. Registrations are
    /// edge-triggered unless registered otherwise: read or write until `EAGAIN`, or remember
    /// that more is waiting.
    func handleEvents(_ events: UInt32)
}
