package bolt

// TransientHeld reports whether the batch being committed holds the transient record key.
func (e *Engine) TransientHeld(key string) bool {
	e.tmu.RLock()
	defer e.tmu.RUnlock()
	return e.theld[key]
}
