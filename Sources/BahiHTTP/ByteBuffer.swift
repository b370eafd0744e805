/// A growable byte buffer with separate reader and writer indices, in the manner of
/// SwiftNIO's `ByteBuffer`.
///
/// The server reads from a socket straight into the writable tail and the parser consumes
/// from the readable head, so bytes are never copied into an intermediate `String` or `Data`.
/// When everything has been read the indices snap back to zero; when the tail runs short the
/// unread bytes are moved to the front before the storage grows, so a long-lived keep-alive
/// connection keeps a small, stable allocation.
public struct ByteBuffer: Sendable, Equatable {
    @usableFromInline var storage: [UInt8]
    /// Offset of the first unread byte.
    public private(set) var readerIndex: Int = 0
    /// Offset one past the last written byte.
    public private(set) var writerIndex: Int = 0

    /// Creates an empty buffer with room for `capacity` bytes before it has to grow.
    public init(capacity: Int = 4096) {
        storage = [UInt8](repeating: 0, count: max(capacity, 16))
    }

    /// Creates a buffer holding `bytes`, ready to be read.
    public init(bytes: some Collection<UInt8>) {
        self.init(capacity: bytes.count)
        write(bytes)
    }

    /// How many bytes are waiting to be read.
    @inlinable public var readableBytes: Int { writerIndex - readerIndex }

    /// True when nothing is waiting to be read.
    @inlinable public var isEmpty: Bool { writerIndex == readerIndex }

    /// The unread bytes, copied out (for tests and diagnostics, not the hot path).
    public var readableBytesArray: [UInt8] { Array(storage[readerIndex..<writerIndex]) }

    /// Appends bytes at the writer index, growing as needed.
    public mutating func write(_ bytes: some Collection<UInt8>) {
        reserveWritable(bytes.count)
        var index = writerIndex
        for byte in bytes {
            storage[index] = byte
            index += 1
        }
        writerIndex = index
    }

    /// Makes sure at least `count` bytes can be written without growing again, compacting
    /// unread bytes to the front first.
    public mutating func reserveWritable(_ count: Int) {
        if storage.count - writerIndex >= count { return }
        if readerIndex > 0 {
            let unread = readableBytes
            if unread > 0 {
                storage.withUnsafeMutableBytes { raw in
                    guard let base = raw.baseAddress else { return }
                    (base + 0).copyMemory(from: base + readerIndex, byteCount: unread)
                }
            }
            readerIndex = 0
            writerIndex = unread
            if storage.count - writerIndex >= count { return }
        }
        var newCount = storage.count
        while newCount - writerIndex < count { newCount *= 2 }
        storage.append(contentsOf: repeatElement(0, count: newCount - storage.count))
    }

    /// Lets `body` fill the writable tail (at least `minimum` bytes of room) and advances the
    /// writer index by what it returns. A negative or zero return writes nothing; the return
    /// value is passed through so a socket `read` can report EOF and errors.
    public mutating func writeWithUnsafeMutableBytes(
        minimumWritable minimum: Int,
        _ body: (UnsafeMutableRawBufferPointer) -> Int
    ) -> Int {
        reserveWritable(minimum)
        let start = writerIndex
        let written = storage.withUnsafeMutableBytes { raw in
            body(UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
        }
        if written > 0 { writerIndex += min(written, storage.count - start) }
        return written
    }

    /// Gives `body` the readable bytes without copying them.
    @inlinable
    public func withUnsafeReadableBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let start = readerIndex, end = writerIndex
        return try storage.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
        }
    }

    /// Reads `count` bytes (at most what is readable) into a new array.
    public mutating func readBytes(_ count: Int) -> [UInt8] {
        let n = min(count, readableBytes)
        let out = Array(storage[readerIndex..<(readerIndex + n)])
        moveReaderIndex(forwardBy: n)
        return out
    }

    /// Marks `count` bytes as read. Once the buffer is drained both indices return to zero.
    public mutating func moveReaderIndex(forwardBy count: Int) {
        precondition(count >= 0 && count <= readableBytes, "reader index out of range")
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// Drops everything, keeping the allocation.
    public mutating func clear() {
        readerIndex = 0
        writerIndex = 0
    }

    public static func == (lhs: ByteBuffer, rhs: ByteBuffer) -> Bool {
        lhs.readableBytesArray == rhs.readableBytesArray
    }
}
