extension UDPSocket {
    /// How many datagrams the kernel dropped for UDP sockets bound to `port`
    /// (the `drops` column of `/proc/net/udp` and `/proc/net/udp6`): a full
    /// receive buffer during a flood. Nil when the files cannot be read.
    ///
    /// Why from /proc: the count then needs no change to the receive path,
    /// and a scrape of `/metrics` reads it only when asked.
    public static func kernelDrops(port: UInt16) -> UInt64? {
        var total: UInt64 = 0
        var found = false
        for path in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let bytes = try? FileIO.read(path) else { continue }
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
                guard fields.count >= 13, let colon = fields[1].lastIndex(of: ":"),
                      UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) == port,
                      let drops = UInt64(fields[12]) else { continue }
                total += drops
                found = true
            }
        }
        return found ? total : nil
    }
}
