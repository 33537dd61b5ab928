/// Agents' offsets and error bounds over the last minutes, for the web
/// view's plot.
///
/// Why bounded twice: `capacity` samples (150 at one per 2 s: five minutes)
/// of at most `maximumAgents` agents each (the lowest ordinals), so the
/// history a new viewer loads is a few tens of kilobytes at any cluster size;
/// the page extends it from each snapshot while it is open. Pure.
public struct OffsetHistory: Sendable {
    public struct Point: Sendable, Hashable {
        public var ordinal: Int
        public var offsetNanos: Int64
        /// nil before the agent has a bound.
        public var errorBoundNanos: Int64?

        public init(ordinal: Int, offsetNanos: Int64, errorBoundNanos: Int64?) {
            self.ordinal = ordinal
            self.offsetNanos = offsetNanos
            self.errorBoundNanos = errorBoundNanos
        }
    }

    public struct Sample: Sendable, Hashable {
        public var timeNanos: Int64
        public var points: [Point]
    }

    public let capacity: Int
    public let maximumAgents: Int
    public private(set) var samples: [Sample] = []

    public init(capacity: Int = 150, maximumAgents: Int = 64) {
        self.capacity = max(1, capacity)
        self.maximumAgents = max(1, maximumAgents)
    }

    /// Adds a sample of the given agents (any order), dropping the oldest.
    public mutating func add(timeNanos: Int64, points: [Point]) {
        let kept = points.count <= maximumAgents ? points.sorted { $0.ordinal < $1.ordinal }
            : Array(points.sorted { $0.ordinal < $1.ordinal }.prefix(maximumAgents))
        if samples.count == capacity { samples.removeFirst() }
        samples.append(Sample(timeNanos: timeNanos, points: kept))
    }

    /// `{"samples":[[t,[[ordinal,offset,bound],...]],...]}`.
    public var json: String {
        var w = JSONWriter(reservingCapacity: 64 + samples.count * (24 + maximumAgents * 40))
        w.beginObject()
        w.beginArray("samples")
        for sample in samples {
            w.beginArray()
            w.integer(nil, sample.timeNanos)
            w.beginArray()
            for point in sample.points {
                w.beginArray()
                w.integer(nil, Int64(point.ordinal))
                w.integer(nil, point.offsetNanos)
                w.integer(nil, point.errorBoundNanos)
                w.endArray()
            }
            w.endArray()
            w.endArray()
        }
        w.endArray()
        w.endObject()
        return w.text
    }
}
