package store_test

import (
	"context"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// TestPingChecksTheReaders: a server whose readers cannot reach the
// database is not ready, even if the writer can.
func TestPingChecksTheReaders(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	if err := db.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.R.Close()
	if err := db.Ping(context.Background()); err == nil {
		t.Fatal("ping passed with the reader pool closed")
	}
}
