package api

import "net/http"

// route is one operation; path is below /api/v1 and is written exactly as
// in openapi.json, which a test checks in both directions.
type route struct {
	method string
	path   string
	h      handler
}

// routes is the whole API surface, in one table. Every handler calls a
// service with the caller's actor; the services decide who may do what.
func (s *server) routes() []route {
	return []route{
		{http.MethodGet, "/openapi.json", s.openAPI},

		// The framework catalogue is public.
		{http.MethodGet, "/framework/documents", s.listDocuments},
		{http.MethodGet, "/framework/provisions", s.listProvisions},
		{http.MethodGet, "/framework/provisions/{id}", s.getProvision},
		{http.MethodGet, "/framework/topics", s.listTopics},

		// States: the list is public; participation is the secretariat's record.
		{http.MethodGet, "/states", s.listStates},
		{http.MethodGet, "/states/{code}", s.getState},
		{http.MethodPut, "/states/{code}/participation", s.setParticipation},

		// The POC directory.
		{http.MethodGet, "/pocs", s.listPOCs},
		{http.MethodPost, "/states/{code}/pocs", s.nominatePOC},
		{http.MethodGet, "/pocs/{id}", s.getPOC},
		{http.MethodPut, "/pocs/{id}", s.editPOC},
		{http.MethodPost, "/pocs/{id}/confirm", s.confirmPOC},
		{http.MethodPost, "/pocs/{id}/retire", s.retirePOC},
		{http.MethodPost, "/pocs/{id}/reinstate", s.reinstatePOC},
		{http.MethodGet, "/pocs/{id}/history", s.pocHistory},

		// Accounts, for administrators.
		{http.MethodGet, "/accounts", s.listAccounts},
		{http.MethodPost, "/accounts", s.createAccount},
		{http.MethodGet, "/accounts/{id}", s.getAccount},
		{http.MethodPost, "/accounts/{id}/disable", s.disableAccount},
		{http.MethodPost, "/accounts/{id}/enable", s.enableAccount},
		{http.MethodPost, "/accounts/{id}/reset", s.resetAccount},

		// The caller's own account and API tokens.
		{http.MethodGet, "/me", s.me},
		{http.MethodGet, "/me/tokens", s.listTokens},
		{http.MethodDelete, "/me/tokens/{id}", s.revokeToken},

		// Communications between States' POCs. TLP decides who reads what.
		{http.MethodGet, "/message-templates", s.listTemplates},
		{http.MethodPut, "/message-templates/{type}", s.publishTemplate},
		{http.MethodGet, "/messages", s.listMessages},
		{http.MethodPost, "/messages", s.sendMessage},
		{http.MethodGet, "/messages/{id}", s.getMessage},
		{http.MethodGet, "/messages/{id}/stix", s.getMessageSTIX},
		{http.MethodPost, "/messages/{id}/replies", s.replyMessage},
		{http.MethodPost, "/messages/{id}/acknowledge", s.acknowledgeMessage},
		{http.MethodPost, "/messages/{id}/read", s.markMessageRead},
		{http.MethodGet, "/threads/{id}", s.getThread},
		{http.MethodGet, "/attachments/{id}", s.getAttachment},

		// Communication checks: the secretariat runs them, each State sees
		// its own figures, and the public the published aggregates.
		{http.MethodGet, "/checks", s.listChecks},
		{http.MethodPost, "/checks", s.createCheck},
		{http.MethodGet, "/checks/pending", s.pendingChecks},
		{http.MethodGet, "/checks/{id}", s.getCheck},
		{http.MethodGet, "/checks/{id}/follow-up", s.checkFollowUp},
		{http.MethodPost, "/checks/{id}/publish", s.publishCheck},
		{http.MethodPost, "/checks/challenges/{id}/acknowledge", s.acknowledgeCheck},
		{http.MethodGet, "/check-results", s.publishedResults},

		// Webhooks: a State's administrators manage their State's, the
		// secretariat its own; the signing secret is shown once.
		{http.MethodGet, "/webhook-event-types", s.webhookEventTypes},
		{http.MethodGet, "/webhooks", s.listWebhooks},
		{http.MethodPost, "/webhooks", s.createWebhook},
		{http.MethodGet, "/webhooks/{id}", s.getWebhook},
		{http.MethodDelete, "/webhooks/{id}", s.deleteWebhook},
		{http.MethodPost, "/webhooks/{id}/disable", s.setWebhookActive(false)},
		{http.MethodPost, "/webhooks/{id}/enable", s.setWebhookActive(true)},
		{http.MethodPost, "/webhooks/{id}/rotate", s.rotateWebhookSecret},
		{http.MethodGet, "/webhooks/{id}/deliveries", s.webhookDeliveries},

		// Incidents, assessed against the framework and shared by TLP like
		// communications: what a caller may not read is not found, and
		// counts only what it may read.
		{http.MethodGet, "/incidents", s.listIncidents},
		{http.MethodPost, "/incidents", s.createIncident},
		{http.MethodGet, "/incidents/counts", s.incidentCounts},
		// The same as STIX 2.1 bundles, and bundles recorded as incidents
		// of the caller's State (docs/STIX.md).
		{http.MethodGet, "/incidents.stix", s.listIncidentsSTIX},
		{http.MethodPost, "/incidents/import", s.importIncidentsSTIX},
		{http.MethodGet, "/incidents/{id}/stix", s.getIncidentSTIX},
		{http.MethodGet, "/incidents/{id}", s.getIncident},
		{http.MethodPut, "/incidents/{id}", s.editIncident},
		{http.MethodPost, "/incidents/{id}/status", s.setIncidentStatus},
		{http.MethodGet, "/incidents/{id}/versions", s.incidentVersions},
		{http.MethodPost, "/incidents/{id}/messages", s.linkIncidentMessage},
		{http.MethodGet, "/incidents/{id}/attributions", s.listAttributions},
		{http.MethodPost, "/incidents/{id}/attributions", s.addAttribution},
		{http.MethodGet, "/incidents/{id}/findings", s.listFindings},
		{http.MethodPut, "/incidents/{id}/findings/{provision}", s.setFinding},
		{http.MethodGet, "/attributions/{id}", s.getAttribution},
		{http.MethodPut, "/attributions/{id}", s.editAttribution},
		{http.MethodPost, "/messages/{id}/incident", s.openIncident},
		{http.MethodGet, "/framework/provisions/{id}/incidents", s.provisionIncidents},

		// Meetings of points of contact: the organiser's side and every
		// invited State's accounts see one; its venue and video link only
		// the organiser's side and the accounts answering for an invitee.
		{http.MethodGet, "/meetings", s.listMeetings},
		{http.MethodPost, "/meetings", s.createMeeting},
		{http.MethodGet, "/meetings/{id}", s.getMeeting},
		{http.MethodPut, "/meetings/{id}", s.editMeeting},
		{http.MethodPost, "/meetings/{id}/cancel", s.cancelMeeting},
		{http.MethodPost, "/meetings/{id}/answer", s.answerMeeting},
		{http.MethodGet, "/meetings/{id}/invitations", s.meetingInvitations},
		{http.MethodGet, "/meetings/{id}/calendar.ics", s.meetingCalendar},

		// Exercise runs: the director's side sees and directs a run, each
		// participating State sees its own part; anyone else is told it
		// does not exist. Every answer says "exercise": true.
		{http.MethodGet, "/exercise-runs", s.listRuns},
		{http.MethodPost, "/exercise-runs", s.createRun},
		{http.MethodGet, "/exercise-runs/{id}", s.getRun},
		{http.MethodPost, "/exercise-runs/{id}/start", s.startRun},
		{http.MethodPost, "/exercise-runs/{id}/pause", s.pauseRun},
		{http.MethodPost, "/exercise-runs/{id}/resume", s.resumeRun},
		{http.MethodPost, "/exercise-runs/{id}/stop", s.stopRun},
		{http.MethodPost, "/exercise-runs/{id}/schedule", s.scheduleRun},
		{http.MethodPost, "/exercise-runs/{id}/inject", s.injectRun},
		{http.MethodGet, "/exercise-runs/{id}/live", s.liveRun},
		{http.MethodGet, "/exercise-runs/{id}/report", s.runReport},
		{http.MethodGet, "/exercise-runs/{id}/received", s.runReceived},
		{http.MethodPost, "/exercise-runs/{id}/actions", s.actRun},
		{http.MethodPost, "/exercise-runs/{id}/notes", s.noteRun},

		// Scenarios of tabletop exercises: the secretariat's and shipped
		// ones for every participating State, a State's own for that State
		// until it shares them. Content is the scenario file format.
		{http.MethodGet, "/scenarios", s.listScenarios},
		{http.MethodPost, "/scenarios/import", s.importScenario},
		{http.MethodGet, "/scenarios/{id}", s.getScenario},
		{http.MethodGet, "/scenarios/{id}/versions", s.scenarioVersions},
		{http.MethodGet, "/scenarios/{id}/export", s.exportScenario},
		{http.MethodPost, "/scenarios/{id}/copy", s.copyScenario},

		// Capacity building: needs and offers each as visible as its owner
		// chose; partnerships to their two sides, and to anyone once both
		// agreed to publish. Nothing is scored or ranked.
		{http.MethodGet, "/capacity/needs", s.listNeeds},
		{http.MethodPost, "/capacity/needs", s.createNeed},
		{http.MethodGet, "/capacity/needs/{id}", s.getNeed},
		{http.MethodGet, "/capacity/offers", s.listOffers},
		{http.MethodPost, "/capacity/offers", s.createOffer},
		{http.MethodGet, "/capacity/offers/{id}", s.getOffer},
		{http.MethodGet, "/capacity/partnerships", s.listPartnerships},
		{http.MethodGet, "/capacity/partnerships/{id}", s.getPartnership},

		// State profiles: what each State made known, as the caller may
		// read it; side by side and counted per provision, never ranked
		// nor totalled per State. Anyone may ask.
		{http.MethodGet, "/profiles/compare", s.compareProfiles},
		{http.MethodGet, "/profiles/counts", s.profileCounts},
		{http.MethodGet, "/profiles/{code}", s.getProfile},

		// The national survey: cycles are public; a draft report is its
		// State's alone, a submitted one the secretariat's too, a
		// published one as visible as its State chose. History names
		// people: the State and the secretariat only.
		{http.MethodGet, "/survey/cycles", s.listSurveyCycles},
		{http.MethodPost, "/survey/cycles", s.openSurveyCycle},
		{http.MethodGet, "/survey/cycles/{id}", s.getSurveyCycle},
		{http.MethodGet, "/survey/cycles/{id}/reports", s.listSurveyReports},
		{http.MethodPost, "/survey/cycles/{id}/reports", s.startSurveyReport},
		{http.MethodGet, "/survey/reports/{id}", s.getSurveyReport},
		{http.MethodPut, "/survey/reports/{id}/parts/{part}", s.saveSurveyPart},
		{http.MethodPost, "/survey/reports/{id}/submit", s.submitSurveyReport},
		{http.MethodPost, "/survey/reports/{id}/publish", s.publishSurveyReport},
		{http.MethodGet, "/survey/reports/{id}/history", s.surveyReportHistory},
		{http.MethodGet, "/survey/reports/{id}/changes", s.surveyReportChanges},

		// The policy library: each document as visible as its owner
		// chose, in lists and search too; only the sharing side changes
		// or withdraws one.
		{http.MethodGet, "/library/documents", s.listLibraryDocuments},
		{http.MethodPost, "/library/documents", s.addLibraryDocument},
		{http.MethodGet, "/library/documents/{id}", s.getLibraryDocument},
		{http.MethodPut, "/library/documents/{id}", s.editLibraryDocument},
		{http.MethodDelete, "/library/documents/{id}", s.withdrawLibraryDocument},
		{http.MethodGet, "/library/documents/{id}/file", s.getLibraryFile},

		{http.MethodGet, "/audit", s.listAudit},
	}
}
