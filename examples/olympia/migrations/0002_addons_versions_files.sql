-- The catalogue: add-ons, their versions and files, categories and tags.

CREATE TABLE categories (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  slug VARCHAR(50) NOT NULL,
  application_id SMALLINT UNSIGNED NOT NULL,
  addontype_id TINYINT UNSIGNED NOT NULL,
  weight INT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY categories_app_type_slug (application_id, addontype_id, slug)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE addons (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  guid VARCHAR(255) NULL,
  slug VARCHAR(30) NULL,
  addontype_id TINYINT UNSIGNED NOT NULL,
  -- Translated fields hold a translations.id.
  name INT UNSIGNED NULL,
  summary INT UNSIGNED NULL,
  homepage INT UNSIGNED NULL,
  default_locale VARCHAR(10) NOT NULL DEFAULT 'en-US',
  status TINYINT UNSIGNED NOT NULL DEFAULT 0,
  disabled_by_user TINYINT(1) NOT NULL DEFAULT 0,
  average_rating DOUBLE NOT NULL DEFAULT 0,
  bayesian_rating DOUBLE NOT NULL DEFAULT 0,
  total_ratings INT UNSIGNED NOT NULL DEFAULT 0,
  weekly_downloads INT UNSIGNED NOT NULL DEFAULT 0,
  average_daily_users BIGINT UNSIGNED NOT NULL DEFAULT 0,
  hotness DOUBLE NOT NULL DEFAULT 0,
  current_version_id INT UNSIGNED NULL,
  last_updated DATETIME(6) NULL,
  created DATETIME(6) NOT NULL,
  modified DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY addons_guid (guid),
  UNIQUE KEY addons_slug (slug),
  KEY addons_status_type (status, addontype_id),
  KEY addons_created (created),
  KEY addons_weekly_downloads (weekly_downloads)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE versions (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  addon_id INT UNSIGNED NOT NULL,
  version VARCHAR(255) NOT NULL,
  channel TINYINT UNSIGNED NOT NULL DEFAULT 2,
  release_notes INT UNSIGNED NULL,
  license_id INT UNSIGNED NULL,
  deleted TINYINT(1) NOT NULL DEFAULT 0,
  created DATETIME(6) NOT NULL,
  modified DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY versions_addon_version (addon_id, version),
  KEY versions_addon_created (addon_id, created),
  CONSTRAINT versions_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- addons and versions point at each other: the second key is added once both exist.
ALTER TABLE addons
  ADD CONSTRAINT addons_current_version_fk FOREIGN KEY (current_version_id) REFERENCES versions (id) ON DELETE SET NULL;

CREATE TABLE files (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  version_id INT UNSIGNED NOT NULL,
  filename VARCHAR(255) NOT NULL,
  size BIGINT UNSIGNED NOT NULL DEFAULT 0,
  hash VARCHAR(255) NOT NULL DEFAULT '',
  status TINYINT UNSIGNED NOT NULL DEFAULT 2,
  is_signed TINYINT(1) NOT NULL DEFAULT 0,
  -- Parsed manifest.json of the uploaded file.
  manifest JSON NULL,
  created DATETIME(6) NOT NULL,
  modified DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY files_version (version_id),
  KEY files_hash (hash),
  CONSTRAINT files_version_fk FOREIGN KEY (version_id) REFERENCES versions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE addons_categories (
  addon_id INT UNSIGNED NOT NULL,
  category_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (addon_id, category_id),
  KEY addons_categories_category (category_id),
  CONSTRAINT addons_categories_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id) ON DELETE CASCADE,
  CONSTRAINT addons_categories_category_fk FOREIGN KEY (category_id) REFERENCES categories (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE addons_users (
  addon_id INT UNSIGNED NOT NULL,
  user_id INT UNSIGNED NOT NULL,
  role SMALLINT UNSIGNED NOT NULL DEFAULT 5,
  listed TINYINT(1) NOT NULL DEFAULT 1,
  position INT NOT NULL DEFAULT 0,
  PRIMARY KEY (addon_id, user_id),
  KEY addons_users_user (user_id),
  CONSTRAINT addons_users_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id) ON DELETE CASCADE,
  CONSTRAINT addons_users_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tags (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  tag_text VARCHAR(128) NOT NULL,
  num_addons INT NOT NULL DEFAULT 0,
  created DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY tags_tag_text (tag_text)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users_tags_addons (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  addon_id INT UNSIGNED NOT NULL,
  tag_id INT UNSIGNED NOT NULL,
  created DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY users_tags_addons_tag_addon (tag_id, addon_id),
  KEY users_tags_addons_addon (addon_id),
  CONSTRAINT users_tags_addons_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id) ON DELETE CASCADE,
  CONSTRAINT users_tags_addons_tag_fk FOREIGN KEY (tag_id) REFERENCES tags (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
