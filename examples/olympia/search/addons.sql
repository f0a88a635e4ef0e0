-- One document per public add-on: its name in its default locale (falling back to en-US), summary,
-- current version and file, tags, and the average of its live ratings.
SELECT
  a.id,
  a.guid,
  a.slug,
  a.addontype_id AS type,
  a.status,
  a.default_locale,
  COALESCE(name_default.localized_string, name_en.localized_string) AS name,
  summary.localized_string AS summary,
  (SELECT GROUP_CONCAT(t.tag_text ORDER BY t.tag_text SEPARATOR ', ')
     FROM users_tags_addons uta JOIN tags t ON t.id = uta.tag_id
    WHERE uta.addon_id = a.id) AS tags,
  v.version AS current_version,
  f.size AS current_file_size,
  f.is_signed,
  a.requires_payment,
  a.weekly_downloads,
  a.average_daily_users,
  ROUND(r.average_rating, 2) AS average_rating,
  COALESCE(r.ratings, 0) AS ratings,
  a.created,
  a.last_updated
FROM addons a
LEFT JOIN translations name_default ON name_default.id = a.name AND name_default.locale = a.default_locale
LEFT JOIN translations name_en ON name_en.id = a.name AND name_en.locale = 'en-US'
LEFT JOIN translations summary ON summary.id = a.summary AND summary.locale = 'en-US'
LEFT JOIN versions v ON v.id = a.current_version_id
LEFT JOIN files f ON f.version_id = v.id
LEFT JOIN (
  SELECT addon_id, AVG(rating) AS average_rating, COUNT(*) AS ratings
  FROM reviews
  WHERE deleted = 0 AND reply_to IS NULL AND rating IS NOT NULL
  GROUP BY addon_id
) r ON r.addon_id = a.id
WHERE a.status = 4 AND a.disabled_by_user = 0
