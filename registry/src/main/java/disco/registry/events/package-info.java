/**
 * The cluster's recent history as a dashboard shows it: members joining and leaving, records
 * published, unpublished or swept, merges, versions changing; built from what a node sees.
 */
package disco.registry.events;
