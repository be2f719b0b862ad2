-- The warnings a finished map carries (JSON array of {code, message, numbers, layer?}); null before it finishes.
ALTER TABLE jobs ADD COLUMN warnings TEXT;
