/**
 * The cluster's recent history as a dashboard shows it: members joining and leaving, records
 * published, unpublished or swept, merges, versions changing; built from what a node sees.
 * For the platform's own dashboard (poule).
 */
package disco.registry.events;
