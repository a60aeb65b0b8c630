import LakehouseKit
public enum EmbedServicePlaceholder {}
