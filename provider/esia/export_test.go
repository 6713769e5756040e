package esia

// What the end-to-end tests (package esia_test, which imports provider) read of the
// dialect's internals.

var (
	NewUUID = newUUID
	IsUUID  = isUUID
)
