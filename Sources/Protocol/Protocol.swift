// Protocol: the junction wire format, pure Swift with no Glibc.
//
// The coordinator and the agents talk in small UDP datagrams: ticks that carry
// the timebase, plan chunks, reports, hellos, goodbyes and solicits. This
// module turns them into bytes and back, authenticates them with HMAC-SHA256
// (written here, since the project has no dependencies), and refuses replays,
// stale ticks and datagrams addressed to another process.
// It never reads a clock or a socket: every instant is a parameter, so the
// simulator and the tests drive exactly the code the boards run.
// The byte layout is documented in docs/PROTOCOL.md.
