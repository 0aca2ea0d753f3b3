package directory

// What the directory's store files share. Its version counter is read
// and moved on through store.DB (Version, Bump), which keeps it in memory
// where it can.
