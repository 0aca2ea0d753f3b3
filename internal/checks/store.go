package checks

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
