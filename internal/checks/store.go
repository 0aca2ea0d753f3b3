package checks

import (
	"database/sql"
)

// What the checks' store files share. Each table's SQL is in the store
// file named for it: store_checks.go for ping_campaigns,
// store_challenges.go for ping_challenges, store_results.go for the counts
// over them.

// checkScope is whose campaigns a read covers, as the service decided the
// reader may see them: every campaign, or those a State took part in (it
// has challenges in them).
type checkScope struct {
	all   bool   // every campaign: the secretariat
	state string // otherwise, the State's
}

// changed is the rows a statement changed; a driver that cannot tell
// counts as none.
func changed(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// nullString keeps an empty v as NULL.
func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}
