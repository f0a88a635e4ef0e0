-- 1000 add-ons (one in five a theme), two versions and files each, names and summaries in the
-- translations table, categories, authors and tags.

INSERT INTO categories (id, slug, application_id, addontype_id, weight) VALUES
  (1, 'alerts-updates', 1, 1, 0),
  (2, 'appearance', 1, 1, 0),
  (3, 'bookmarks', 1, 1, 0),
  (4, 'download-management', 1, 1, 0),
  (5, 'feeds-news-blogging', 1, 1, 0),
  (6, 'games-entertainment', 1, 1, 0),
  (7, 'language-support', 1, 1, 0),
  (8, 'photos-music-videos', 1, 1, 0),
  (9, 'privacy-security', 1, 1, 0),
  (10, 'search-tools', 1, 1, 0),
  (11, 'abstract', 1, 10, 0),
  (12, 'nature', 1, 10, 0);

INSERT INTO tags (id, tag_text, num_addons, created)
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 30)
SELECT
  n,
  ELT(n, 'ads', 'anti-tracker', 'bookmarks', 'chat', 'colors', 'cookies', 'dark mode', 'developer', 'download',
      'email', 'games', 'history', 'language', 'music', 'news', 'notes', 'passwords', 'pdf', 'photos', 'privacy',
      'productivity', 'reader', 'screenshots', 'search', 'security', 'shopping', 'social', 'tabs', 'translation', 'video'),
  0,
  TIMESTAMPADD(SECOND, n * 86400, '2019-01-01 00:00:00')
FROM seq;

INSERT INTO addons (id, guid, slug, addontype_id, name, summary, homepage, default_locale, status, disabled_by_user,
                    weekly_downloads, average_daily_users, hotness, last_updated, created, modified)
WITH RECURSIVE digit (d) AS (SELECT 0 UNION ALL SELECT d + 1 FROM digit WHERE d < 9),
seq (n) AS (SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d FROM digit a CROSS JOIN digit b CROSS JOIN digit c CROSS JOIN digit e)
SELECT
  n,
  CONCAT('{', LOWER(LPAD(HEX(n), 8, '0')), '-0000-4000-8000-', LOWER(LPAD(HEX(n * 7919), 12, '0')), '}'),
  CONCAT('addon-', n),
  IF(n % 5 = 0, 10, 1),
  n,
  10000 + n,
  NULL,
  IF(n % 10 = 3, 'de', 'en-US'),
  CASE WHEN n % 20 = 7 THEN 0 WHEN n % 50 = 11 THEN 5 ELSE 4 END,
  n % 100 = 42,
  (n * 7919) % 50000,
  (n * 104729) % 1000000,
  ((n * 31) % 1000) / 1000,
  TIMESTAMPADD(MICROSECOND, n * 36000000000 + (n * 7919) % 1000000, '2021-01-01 00:00:00'),
  TIMESTAMPADD(MICROSECOND, n * 3600000000 + (n * 104729) % 1000000, '2019-01-01 00:00:00'),
  TIMESTAMPADD(MICROSECOND, n * 36000000000 + (n * 7919) % 1000000, '2021-01-01 00:00:00')
FROM seq
WHERE n <= 1000;

-- Names: every add-on in en-US, the German ones (default_locale de) also in de; summaries in en-US.
INSERT INTO translations (id, locale, localized_string, localized_string_clean, created, modified)
SELECT
  a.id,
  'en-US',
  CONCAT(ELT(1 + a.id % 10, 'Ultra', 'Tab', 'Dark', 'Privacy', 'Quick', 'Smart', 'Simple', 'Fox', 'Cookie', 'Video'), ' ',
         ELT(1 + (a.id DIV 10) % 10, 'Blocker', 'Manager', 'Reader', 'Theme', 'Helper', 'Translator', 'Downloader', 'Switcher', 'Notes', 'Search'),
         ' ', a.id, IF(a.id % 97 = 0, ' 🦊', '')),
  NULL,
  a.created,
  a.created
FROM addons a;

INSERT INTO translations (id, locale, localized_string, localized_string_clean, created, modified)
SELECT
  a.id,
  'de',
  CONCAT(ELT(1 + a.id % 4, 'Schneller', 'Großer', 'Dunkler', 'Sicherer'), ' ',
         ELT(1 + (a.id DIV 10) % 4, 'Blocker', 'Verwalter', 'Leser', 'Übersetzer'), ' ', a.id),
  NULL,
  a.created,
  a.created
FROM addons a
WHERE a.default_locale = 'de';

INSERT INTO translations (id, locale, localized_string, localized_string_clean, created, modified)
SELECT
  a.summary,
  'en-US',
  CONCAT('Makes ', ELT(1 + a.id % 5, 'tabs', 'downloads', 'privacy', 'reading', 'search'), ' <b>better</b>; it''s "free" & open (#', a.id, ').'),
  CONCAT('Makes ', ELT(1 + a.id % 5, 'tabs', 'downloads', 'privacy', 'reading', 'search'), ' better; it''s "free" & open (#', a.id, ').'),
  a.created,
  a.created
FROM addons a;

-- Versions 2n-1 (1.0) and 2n (1.x) of add-on n; the second is the current one.
INSERT INTO versions (id, addon_id, version, channel, release_notes, license_id, deleted, created, modified)
WITH RECURSIVE digit (d) AS (SELECT 0 UNION ALL SELECT d + 1 FROM digit WHERE d < 9),
seq (n) AS (SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d FROM digit a CROSS JOIN digit b CROSS JOIN digit c CROSS JOIN digit e)
SELECT
  n,
  (n + 1) DIV 2,
  IF(n % 2 = 1, '1.0', CONCAT('1.', 1 + n % 9, IF(n % 3 = 0, '.1', ''))),
  2,
  20000 + n,
  NULL,
  0,
  TIMESTAMPADD(MICROSECOND, ((n + 1) DIV 2) * 3600000000 + (n % 2) * 2592000000000 + 123456, '2019-01-01 00:00:00'),
  TIMESTAMPADD(MICROSECOND, ((n + 1) DIV 2) * 3600000000 + (n % 2) * 2592000000000 + 123456, '2019-01-01 00:00:00')
FROM seq
WHERE n <= 2000;

INSERT INTO translations (id, locale, localized_string, localized_string_clean, created, modified)
SELECT v.release_notes, 'en-US', CONCAT('Version ', v.version, ':\n- fixed bug #', v.id * 3, '\n- faster\tstartup'), NULL, v.created, v.created
FROM versions v;

UPDATE addons SET current_version_id = id * 2 WHERE status <> 0;

INSERT INTO files (id, version_id, filename, size, hash, status, is_signed, manifest, created, modified)
SELECT
  v.id,
  v.id,
  CONCAT(a.slug, '-', v.version, IF(a.addontype_id = 10, '.zip', '.xpi')),
  1000 + (v.id * 7919) % 5000000,
  CONCAT('sha256:', SHA2(CONCAT('file-', v.id), 256)),
  IF(a.status = 5, 5, 4),
  v.id % 7 <> 0,
  JSON_OBJECT(
    'manifest_version', 2 + v.id % 2,
    'name', CONCAT('__MSG_extensionName_', v.addon_id, '__'),
    'version', v.version,
    'permissions', JSON_ARRAY('storage', IF(v.id % 3 = 0, 'tabs', 'activeTab')),
    'browser_specific_settings', JSON_OBJECT('gecko', JSON_OBJECT('id', a.guid, 'strict_min_version', '91.0'))
  ),
  v.created,
  v.created
FROM versions v
JOIN addons a ON a.id = v.addon_id;

INSERT INTO addons_categories (addon_id, category_id)
SELECT id, IF(addontype_id = 10, 11 + id % 2, 1 + id % 10) FROM addons;

INSERT INTO addons_categories (addon_id, category_id)
SELECT id, 1 + (id + 3) % 10 FROM addons WHERE addontype_id = 1 AND id % 3 = 0;

-- An owner for every add-on, a second developer for one in ten.
INSERT INTO addons_users (addon_id, user_id, role, listed, position)
SELECT id, 1 + (id * 37) % 500, 5, 1, 0 FROM addons;

INSERT INTO addons_users (addon_id, user_id, role, listed, position)
SELECT id, 1 + (id * 37 + 1) % 500, 4, id % 20 <> 0, 1 FROM addons WHERE id % 10 = 0;

INSERT INTO users_tags_addons (addon_id, tag_id, created)
SELECT id, 1 + id % 30, created FROM addons
UNION ALL
SELECT id, 1 + (id * 7 + 11) % 30, created FROM addons;

UPDATE tags SET num_addons = (SELECT COUNT(*) FROM users_tags_addons uta WHERE uta.tag_id = tags.id);
